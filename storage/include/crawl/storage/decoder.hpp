#pragma once
// Streaming decompression of log files, chosen by magic bytes, not by name.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace crawl::storage {

enum class compression { none, gzip, zstd };

// What the first bytes of a file say it is (at least 4 bytes are needed to be sure).
compression detect_compression(std::string_view first_bytes);
const char* compression_name(compression c);

// Turns compressed bytes into plain bytes as they arrive. Multi-frame zstd
// and multi-member gzip are read through. Errors carry the offset of the
// compressed byte where the stream went wrong.
class decoder {
 public:
  virtual ~decoder() = default;
  // Appends what `in` decodes to. false: corrupt; error() says where.
  virtual bool decode(std::string_view in, std::string& out) = 0;
  // The input ended. false: the stream was cut short.
  virtual bool finish() = 0;
  const std::string& error() const { return error_; }

 protected:
  std::string error_;
  std::uint64_t offset_ = 0;  // compressed bytes consumed
};

// nullptr for compression::none.
std::unique_ptr<decoder> make_decoder(compression c);

// One zstd frame holding `bytes`, for small blobs kept in the state.
std::string zstd_compress(std::string_view bytes);
// The bytes of such a frame; false when it is not one.
bool zstd_decompress(std::string_view frame, std::string& out);

}  // namespace crawl::storage
