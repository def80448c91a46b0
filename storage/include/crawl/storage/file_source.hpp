#pragma once
// Sequential, asynchronous reads of a file in large blocks: Asio stream_file
// on io_uring, or, where io_uring is refused (EPERM, ENOSYS, old kernels,
// seccomp) or not wanted, plain read() on a helper thread. Standard input
// always takes the helper thread.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/stream_file.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <sys/stat.h>

namespace crawl::storage {

class file_source {
 public:
  // Opens `path` ("-" is standard input). On failure returns nullopt and
  // sets `error` to a message naming the path.
  static std::unique_ptr<file_source> open(boost::asio::any_io_executor executor, const std::string& path,
                                           bool allow_io_uring, std::string& error);
  ~file_source();

  // Reads up to buffer.size() bytes at the current offset; 0 at the end.
  // A read error sets `error` (naming the path) and returns 0.
  boost::asio::awaitable<std::size_t> read(std::span<char> buffer, std::string& error);
  // Moves the read offset.
  void seek(std::uint64_t offset);
  std::uint64_t offset() const { return offset_; }
  // Why io_uring is not used (empty when it is, or was not wanted).
  const std::string& fallback_reason() const { return fallback_reason_; }
  const std::string& path() const { return path_; }
  // fstat of the open file; false for standard input or on failure.
  bool stat(struct ::stat& st) const;
  // The open descriptor (owned by the source), for fstat and pread; -1 for standard input.
  int descriptor() const;

 private:
  file_source() = default;
  std::string path_;
  int fd_ = -1;  // the helper-thread path's descriptor
  std::optional<boost::asio::stream_file> file_;
  std::unique_ptr<boost::asio::thread_pool> helper_;
  std::uint64_t offset_ = 0;
  std::string fallback_reason_;
};

}  // namespace crawl::storage
