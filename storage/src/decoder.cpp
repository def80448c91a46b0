#include "crawl/storage/decoder.hpp"

#include <zlib.h>
#include <zstd.h>

namespace crawl::storage {
namespace {

constexpr std::size_t out_step = 256 * 1024;

class zstd_decoder final : public decoder {
 public:
  zstd_decoder() : ctx_(ZSTD_createDCtx()) {}
  ~zstd_decoder() override { ZSTD_freeDCtx(ctx_); }

  bool decode(std::string_view in, std::string& out) override {
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    while (input.pos < input.size) {
      std::size_t old = out.size();
      out.resize(old + out_step);
      ZSTD_outBuffer output{out.data() + old, out_step, 0};
      std::size_t before = input.pos;
      std::size_t rc = ZSTD_decompressStream(ctx_, &output, &input);
      out.resize(old + output.pos);
      if (ZSTD_isError(rc)) {
        error_ = "corrupt zstd data near compressed byte " + std::to_string(offset_ + before) + ": " +
                 ZSTD_getErrorName(rc);
        return false;
      }
      offset_ += input.pos - before;
      frame_done_ = rc == 0;
    }
    return true;
  }

  bool finish() override {
    if (frame_done_ || offset_ == 0) return true;
    error_ = "zstd stream cut short at compressed byte " + std::to_string(offset_);
    return false;
  }

 private:
  ZSTD_DCtx* ctx_;
  bool frame_done_ = false;
};

class gzip_decoder final : public decoder {
 public:
  gzip_decoder() { inflateInit2(&z_, 15 + 16); }
  ~gzip_decoder() override { inflateEnd(&z_); }

  bool decode(std::string_view in, std::string& out) override {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    while (z_.avail_in > 0) {
      if (member_done_) {  // another member follows: gzip files may be concatenated
        inflateReset(&z_);
        member_done_ = false;
      }
      std::size_t old = out.size();
      out.resize(old + out_step);
      z_.next_out = reinterpret_cast<Bytef*>(out.data() + old);
      z_.avail_out = static_cast<uInt>(out_step);
      uInt before = z_.avail_in;
      int rc = inflate(&z_, Z_NO_FLUSH);
      out.resize(old + out_step - z_.avail_out);
      offset_ += before - z_.avail_in;
      if (rc == Z_STREAM_END) {
        member_done_ = true;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        error_ = "corrupt gzip data near compressed byte " + std::to_string(offset_) + ": " +
                 (z_.msg ? z_.msg : "inflate failed");
        return false;
      }
    }
    return true;
  }

  bool finish() override {
    if (member_done_ || offset_ == 0) return true;
    error_ = "gzip stream cut short at compressed byte " + std::to_string(offset_);
    return false;
  }

 private:
  z_stream z_{};
  bool member_done_ = false;
};

}  // namespace

compression detect_compression(std::string_view b) {
  if (b.size() >= 4 && static_cast<unsigned char>(b[0]) == 0x28 && static_cast<unsigned char>(b[1]) == 0xB5 &&
      static_cast<unsigned char>(b[2]) == 0x2F && static_cast<unsigned char>(b[3]) == 0xFD)
    return compression::zstd;
  if (b.size() >= 2 && static_cast<unsigned char>(b[0]) == 0x1F && static_cast<unsigned char>(b[1]) == 0x8B)
    return compression::gzip;
  return compression::none;
}

const char* compression_name(compression c) {
  switch (c) {
    case compression::gzip: return "gzip";
    case compression::zstd: return "zstd";
    default: return "none";
  }
}

std::unique_ptr<decoder> make_decoder(compression c) {
  switch (c) {
    case compression::gzip: return std::make_unique<gzip_decoder>();
    case compression::zstd: return std::make_unique<zstd_decoder>();
    default: return nullptr;
  }
}

std::string zstd_compress(std::string_view bytes) {
  std::string out(ZSTD_compressBound(bytes.size()), '\0');
  std::size_t n = ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), 3);
  if (ZSTD_isError(n)) return {};
  out.resize(n);
  return out;
}

bool zstd_decompress(std::string_view frame, std::string& out) {
  auto d = make_decoder(compression::zstd);
  return d->decode(frame, out) && d->finish();
}

}  // namespace crawl::storage
