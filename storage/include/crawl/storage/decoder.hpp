#pragma once
// Streaming decompression of gzip and zstd, chosen by magic bytes, not by
// name, producing output in pieces of a size the caller chooses: memory
// stays flat whatever the compression ratio (a 142 KB .zst of 4 GiB of
// zeros once became one 4 GiB string).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace crawl::storage {

enum class compression { none, gzip, zstd };

// What the first bytes of a file say it is (at least 4 bytes are needed to be sure).
compression detect_compression(std::string_view first_bytes);

// Multi-frame zstd and multi-member gzip are read through. Errors carry the
// offset of the compressed byte where the stream went wrong.
class decoder {
 public:
  virtual ~decoder() = default;
  // More compressed input. It must stay valid until next() has used it up.
  void feed(std::string_view in) {
    in_ = in;
    in_pos_ = 0;
  }
  // Decodes fed input into `out` (replacing its contents), at most `limit`
  // bytes. Returns true with out empty once the fed input is used up;
  // false when the data is corrupt (error() says where). Bytes decoded
  // before the damage come out first: the call after them returns false.
  virtual bool next(std::string& out, std::size_t limit) = 0;
  // The input ended. false: the stream was cut short.
  virtual bool finish() = 0;
  const std::string& error() const { return error_; }

 protected:
  std::string_view in_;
  std::size_t in_pos_ = 0;
  bool flush_pending_ = false;  // the last output filled up: more may come without input
  std::string error_;
  std::uint64_t offset_ = 0;  // compressed bytes consumed
};

// nullptr for compression::none.
std::unique_ptr<decoder> make_decoder(compression c);

// Decodes all of `in` (one call), appending to `out` in pieces, but stops
// with false and `error` "too large" once `out` would pass `max_out` bytes.
bool decode_bounded(decoder& d, std::string_view in, std::string& out, std::uint64_t max_out, std::string& error);

// One zstd frame holding `bytes`, for small blobs kept in the state.
std::string zstd_compress(std::string_view bytes);
// The bytes of such a frame (at most `max_out` of them); false when it is
// not one, or holds more.
bool zstd_decompress(std::string_view frame, std::string& out, std::uint64_t max_out = 1ull << 30);

}  // namespace crawl::storage
