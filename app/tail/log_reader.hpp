#pragma once
// Reads one log input to its current end: async file reads, decompression by
// magic bytes, chunks of whole lines out to a consumer coroutine.
#include "crawl/pipeline/line_chunker.hpp"
#include "crawl/pipeline/log_summary.hpp"
#include "crawl/storage/decoded_source.hpp"
#include "crawl/storage/file_source.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace crawl::app {

// Reads are this large: big enough for io_uring to stream, and while workers
// count one block the next is already being read.
inline constexpr std::size_t read_block = 1 << 20;

struct line_chunk {
  std::string bytes;
  bool truncated = false;
  std::size_t input = 0;  // index of the input it came from
  std::uint64_t skipped = 0;  // bytes of over-long lines dropped before it
  pipeline::chunk_origin origin;  // its format, first line number and offset
};

// The consumer takes (moves) what it keeps from the chunk.
using chunk_consumer = std::function<boost::asio::awaitable<void>(line_chunk&)>;

// Opens `path` for reading as input number `input` (io_uring unless
// `io_uring` is false). Says on stderr why io_uring is not used when
// `verbose`, and which format the lines were found to be in. `format`:
// the lines' format, or nothing to tell it from the first lines read.
// nullptr with `error` naming the path when it cannot be opened.
std::unique_ptr<class log_reader> open_log_reader(const boost::asio::any_io_executor& executor,
                                                  const std::string& path, std::size_t input,
                                                  std::size_t max_line, bool io_uring, bool verbose,
                                                  std::optional<pipeline::log_format> format, std::string& error);

// The reading state of one input. Keeps its place between calls to
// read_to_end(), so following a file is calling it again after growth.
class log_reader {
 public:
  log_reader(std::unique_ptr<storage::file_source> source, std::size_t input, std::size_t max_line,
             std::optional<pipeline::log_format> format = pipeline::log_format::plain, bool verbose = false);

  // Reads what is there now. Returns false on a read or decompression error
  // (error() names the file and byte offset); what was read before counts.
  boost::asio::awaitable<bool> read_to_end(const chunk_consumer& consume);
  // The input ended for good: hand out an unterminated last line too.
  boost::asio::awaitable<void> finish(const chunk_consumer& consume);
  // Skips decoded bytes before `offset` (a position from an earlier run),
  // decoding them when the file is compressed.
  void skip_to(std::uint64_t offset);
  // Starts an uncompressed file at `offset` by seeking.
  void seek_to(std::uint64_t offset);
  // Decoded bytes handed out as whole lines so far, from the start of the stream.
  std::uint64_t line_offset() const { return base_ + chunker_.consumed() + skipped_; }
  // Where the lines handed out start: line_offset() plus what skip_to() has yet to drop.
  std::uint64_t start_offset() const { return line_offset() + skip_; }
  const std::string& error() const { return error_; }
  storage::file_source& source() { return *source_; }

 private:
  boost::asio::awaitable<bool> hand_out_decoded(const chunk_consumer& consume);
  boost::asio::awaitable<void> hand_out(std::string_view decoded, const chunk_consumer& consume);
  boost::asio::awaitable<void> flush(const chunk_consumer& consume);
  pipeline::line_chunker::sink collect();
  boost::asio::awaitable<void> hand_over(const chunk_consumer& consume);

  std::unique_ptr<storage::file_source> source_;
  std::size_t input_;
  pipeline::line_chunker chunker_;
  storage::decoded_source decoded_;  // raw blocks to plain bytes, in pieces of at most 1 MiB
  std::vector<pipeline::line_chunker::chunk> ready_;  // cut by the chunker, not yet consumed
  std::vector<char> block_;
  std::uint64_t skip_ = 0;     // decoded bytes still to drop
  std::uint64_t skipped_ = 0;  // decoded bytes dropped
  std::uint64_t base_ = 0;     // where reading started
  std::uint64_t handed_ = 0;   // bytes handed out in chunks or skipped as parts of cut lines
  std::uint64_t lines_ = 0;    // lines handed out
  std::optional<pipeline::log_format> format_;  // nothing until told from the first chunk
  bool verbose_ = false;
  std::string error_;
};

}  // namespace crawl::app
