#pragma once
// Bytes of a file or stream, decompressed when its first bytes say gzip or
// zstd, handed out in pieces of at most `piece_bytes`: the one place that
// runs detect -> decoder -> decode, for `crawl tail`, `crawl count`, the
// WARC reader and the rotation check. Pure: raw blocks in, pieces out;
// whoever reads the file (io_uring, a thread, plain read()) feeds it.
#include "crawl/storage/decoder.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace crawl::storage {

inline constexpr std::size_t decoded_piece_bytes = 1 << 20;

class decoded_source {
 public:
  explicit decoded_source(std::size_t piece_bytes = decoded_piece_bytes) : piece_bytes_(piece_bytes) {}

  // The next raw block; it must stay valid until next() returns false.
  void feed(std::string_view raw);
  // The raw stream has ended (call next() after it to drain).
  void end();
  // Decides now, from the bytes seen, even if fewer than 4 (at the current
  // end of a file that may still grow).
  void settle();
  // The stream is plain: reading starts mid-file, where no magic can be.
  void start_plain();
  // The next decoded piece (valid until the next call). false when what was
  // fed is used up, or on an error: then error() is set (corrupt data, or,
  // after end(), a stream cut short), naming the compressed byte offset.
  bool next(std::string_view& piece);
  const std::string& error() const { return error_; }
  // Decided once 4 bytes (or the end) have been seen.
  bool detected() const { return detected_; }
  compression kind() const { return kind_; }

 private:
  void detect(std::string_view first);

  std::size_t piece_bytes_;
  bool detected_ = false;
  bool ended_ = false;
  bool finished_ = false;
  compression kind_ = compression::none;
  std::unique_ptr<decoder> decoder_;
  std::string head_;     // the first bytes, while fewer than 4 have come
  std::string_view in_;  // plain input not yet handed out
  std::string out_;      // the last decoded piece
  std::string error_;
};

// Reads `fd` to its end through a decoded_source, in blocking reads, handing
// each piece to `take` (which returns false to stop early). false on a read
// or decoding error, with `error` naming `path` and the byte offset.
bool read_decoded(int fd, const std::string& path, const std::function<bool(std::string_view)>& take,
                  std::string& error);

// The first `n` bytes of a file, decompressed if it is gzip or zstd (fewer
// when it is shorter or cannot be read).
std::string leading_bytes(const std::string& path, std::size_t n);

}  // namespace crawl::storage
