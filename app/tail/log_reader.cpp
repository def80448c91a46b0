#include "log_reader.hpp"

#include "diagnostics.hpp"

#include "crawl/pipeline/byte_count.hpp"

namespace crawl::app {

namespace asio = boost::asio;

std::unique_ptr<log_reader> open_log_reader(const asio::any_io_executor& executor, const std::string& path,
                                            std::size_t input, std::size_t max_line, bool io_uring, bool verbose,
                                            std::optional<pipeline::log_format> format, std::string& error) {
  auto source = storage::file_source::open(executor, path, io_uring, error);
  if (!source) return nullptr;
  if (verbose && !source->fallback_reason().empty())
    log_line("info", path + ": " + source->fallback_reason(), {{"file", path}});
  return std::make_unique<log_reader>(std::move(source), input, max_line, format, verbose);
}

log_reader::log_reader(std::unique_ptr<storage::file_source> source, std::size_t input, std::size_t max_line,
                       std::optional<pipeline::log_format> format, bool verbose)
    : source_(std::move(source)), input_(input), chunker_(max_line, read_block), block_(read_block), format_(format),
      verbose_(verbose) {}

void log_reader::skip_to(std::uint64_t offset) {
  skip_ = offset;
}

void log_reader::seek_to(std::uint64_t offset) {
  source_->seek(offset);
  base_ = offset;
  if (offset > 0) decoded_.start_plain();  // mid-file bytes are no magic number
}

// The chunker hands chunks to a plain callback; they wait here until the
// coroutine can await the consumer for each.
pipeline::line_chunker::sink log_reader::collect() {
  return [this](pipeline::line_chunker::chunk&& c) { ready_.push_back(std::move(c)); };
}

// Each chunk goes out with its format (told from the first chunk when not
// given), where it starts, and its first line's number when reading began
// at the top of the stream (a resumed or -n read does not know it).
asio::awaitable<void> log_reader::hand_over(const chunk_consumer& consume) {
  for (auto& c : ready_) {
    if (!format_ && !c.truncated) {
      format_ = pipeline::detect_text_format(c.bytes);
      if (verbose_)
        log_line("info", source_->path() + ": read as " + pipeline::format_name(*format_) + " lines (told from its first lines)",
                 {{"file", source_->path()}});
    }
    line_chunk chunk{std::move(c.bytes), c.truncated, input_, c.skipped, {}};
    chunk.origin.format = format_.value_or(pipeline::log_format::plain);
    chunk.origin.input = input_;
    chunk.origin.offset = base_ + skipped_ + handed_ + c.skipped;
    chunk.origin.first_line = base_ == 0 && skipped_ == 0 ? lines_ + 1 : 0;
    lines_ += chunk.truncated ? 1 : pipeline::count_byte(chunk.bytes, '\n');
    handed_ += c.skipped + chunk.bytes.size();
    co_await consume(chunk);
  }
  ready_.clear();
}

asio::awaitable<void> log_reader::hand_out(std::string_view decoded, const chunk_consumer& consume) {
  if (skip_ > 0) {
    std::size_t drop = static_cast<std::size_t>(std::min<std::uint64_t>(skip_, decoded.size()));
    decoded.remove_prefix(drop);
    skip_ -= drop;
    skipped_ += drop;
  }
  chunker_.feed(decoded, collect());
  co_await hand_over(consume);
}

asio::awaitable<bool> log_reader::read_to_end(const chunk_consumer& consume) {
  for (;;) {
    std::string read_error;
    std::size_t n = co_await source_->read(std::span<char>(block_.data(), block_.size()), read_error);
    if (!read_error.empty()) {
      error_ = read_error;
      co_return false;
    }
    if (n == 0) {
      // The current end: bytes too few to tell the format are plain.
      decoded_.settle();
      if (!co_await hand_out_decoded(consume)) co_return false;
      co_await flush(consume);
      co_return true;
    }
    decoded_.feed(std::string_view(block_.data(), n));
    if (!co_await hand_out_decoded(consume)) co_return false;
  }
}

// Hands out every piece what was fed decodes to. false on corrupt data:
// error() names the file and the byte offset; what came before counts.
asio::awaitable<bool> log_reader::hand_out_decoded(const chunk_consumer& consume) {
  std::string_view piece;
  while (decoded_.next(piece)) co_await hand_out(piece, consume);
  if (decoded_.error().empty()) co_return true;
  if (error_.empty()) error_ = source_->path() + ": " + decoded_.error();
  co_return false;
}

asio::awaitable<void> log_reader::flush(const chunk_consumer& consume) {
  chunker_.flush(collect());
  co_await hand_over(consume);
}

asio::awaitable<void> log_reader::finish(const chunk_consumer& consume) {
  decoded_.end();
  co_await hand_out_decoded(consume);
  chunker_.finish(collect());
  co_await hand_over(consume);
}

}  // namespace crawl::app
