#include "crawl/storage/file_source.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace crawl::storage {

namespace asio = boost::asio;

std::unique_ptr<file_source> file_source::open(asio::any_io_executor executor, const std::string& path,
                                               bool allow_io_uring, std::string& error) {
  std::unique_ptr<file_source> src(new file_source());
  src->path_ = path;
  if (path == "-") {
    src->fd_ = STDIN_FILENO;
  } else {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error = path + ": " + std::strerror(errno);
      return nullptr;
    }
    struct ::stat st {};
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      ::close(fd);
      error = path + ": is a directory";
      return nullptr;
    }
    src->fd_ = fd;
    if (allow_io_uring && S_ISREG(st.st_mode)) {
      try {
        // Asio creates the io_uring instance with the first file object;
        // a kernel or sandbox that refuses io_uring throws here.
        asio::stream_file file(executor);
        file.assign(fd);
        src->file_.emplace(std::move(file));
        src->fd_ = -1;  // the stream_file owns it now
      } catch (const boost::system::system_error& e) {
        src->fallback_reason_ = std::string("io_uring refused (") + e.code().message() + "): reading on a thread";
      }
    } else if (!allow_io_uring) {
      src->fallback_reason_ = "io_uring not used (--no-io-uring): reading on a thread";
    }
  }
  if (!src->file_) src->helper_ = std::make_unique<asio::thread_pool>(1);
  return src;
}

file_source::~file_source() {
  if (helper_) helper_->join();
  if (fd_ > 0) ::close(fd_);
}

void file_source::seek(std::uint64_t offset) {
  offset_ = offset;
  if (file_) {
    file_->seek(static_cast<std::int64_t>(offset), asio::file_base::seek_set);
  } else if (fd_ > 0) {
    ::lseek(fd_, static_cast<off_t>(offset), SEEK_SET);
  }
}

int file_source::descriptor() const {
  int fd = file_ ? const_cast<asio::stream_file&>(*file_).native_handle() : fd_;
  return fd > 0 ? fd : -1;
}

bool file_source::stat(struct ::stat& st) const {
  int fd = descriptor();
  return fd >= 0 && ::fstat(fd, &st) == 0;
}

asio::awaitable<std::size_t> file_source::read(std::span<char> buffer, std::string& error) {
  if (file_) {
    auto [ec, n] = co_await file_->async_read_some(asio::buffer(buffer.data(), buffer.size()),
                                                   asio::as_tuple(asio::use_awaitable));
    if (ec && ec != asio::error::eof) error = path_ + ": read error: " + ec.message();
    offset_ += n;
    co_return n;
  }
  // The blocking read runs on the helper thread; this coroutine waits for it
  // on its own executor.
  int fd = fd_;
  auto result = co_await asio::co_spawn(
      *helper_,
      [fd, buffer]() -> asio::awaitable<std::pair<ssize_t, int>> {
        ssize_t got;
        do {
          got = ::read(fd, buffer.data(), buffer.size());
        } while (got < 0 && errno == EINTR);
        co_return std::pair<ssize_t, int>(got, got < 0 ? errno : 0);
      },
      asio::use_awaitable);
  ssize_t n = result.first;
  int saved = result.second;
  if (n < 0) {
    error = path_ + ": read error: " + std::strerror(saved);
    co_return 0;
  }
  offset_ += static_cast<std::uint64_t>(n);
  co_return static_cast<std::size_t>(n);
}

}  // namespace crawl::storage
