#include "crawl/storage/decoder.hpp"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>

namespace crawl::storage {
namespace {

class zstd_decoder final : public decoder {
 public:
  zstd_decoder() : ctx_(ZSTD_createDCtx()) {}
  ~zstd_decoder() override { ZSTD_freeDCtx(ctx_); }

  bool next(std::string& out, std::size_t limit) override {
    out.clear();
    if (!error_.empty()) return false;
    out.resize(limit);
    ZSTD_outBuffer output{out.data(), limit, 0};
    while (output.pos < output.size && (in_pos_ < in_.size() || flush_pending_)) {
      ZSTD_inBuffer input{in_.data(), in_.size(), in_pos_};
      std::size_t in_before = input.pos, out_before = output.pos;
      std::size_t rc = ZSTD_decompressStream(ctx_, &output, &input);
      in_pos_ = input.pos;
      if (ZSTD_isError(rc)) {
        out.resize(output.pos);
        error_ = "corrupt zstd data near compressed byte " + std::to_string(offset_) + ": " +
                 ZSTD_getErrorName(rc);
        return !out.empty();  // what came before the damage first; the error on the next call
      }
      offset_ += input.pos - in_before;
      if (input.pos == in_before && output.pos == out_before) {
        flush_pending_ = false;  // nothing more to give (and rc then speaks of a frame not begun)
        break;
      }
      frame_done_ = rc == 0;
      flush_pending_ = output.pos == output.size;
    }
    out.resize(output.pos);
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

  bool next(std::string& out, std::size_t limit) override {
    out.clear();
    if (!error_.empty()) return false;
    out.resize(limit);
    std::size_t produced = 0;
    while (produced < limit && (in_pos_ < in_.size() || flush_pending_)) {
      if (member_done_) {
        if (in_pos_ == in_.size()) break;
        inflateReset(&z_);  // another member follows: gzip files may be concatenated
        member_done_ = false;
      }
      std::size_t in_left = in_.size() - in_pos_;
      auto in_step = static_cast<uInt>(std::min<std::size_t>(in_left, 1u << 30));
      auto out_step = static_cast<uInt>(std::min<std::size_t>(limit - produced, 1u << 30));
      z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in_.data() + in_pos_));
      z_.avail_in = in_step;
      z_.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
      z_.avail_out = out_step;
      int rc = inflate(&z_, Z_NO_FLUSH);
      std::size_t used = in_step - z_.avail_in, made = out_step - z_.avail_out;
      in_pos_ += used;
      offset_ += used;
      produced += made;
      if (rc == Z_STREAM_END) {
        member_done_ = true;
        flush_pending_ = false;
      } else if (rc == Z_BUF_ERROR || (rc == Z_OK && used == 0 && made == 0)) {
        flush_pending_ = false;  // needs more input
        if (in_pos_ == in_.size()) break;
      } else if (rc != Z_OK) {
        out.resize(produced);
        error_ = "corrupt gzip data near compressed byte " + std::to_string(offset_) + ": " +
                 (z_.msg ? z_.msg : "inflate failed");
        return !out.empty();  // what came before the damage first; the error on the next call
      } else {
        flush_pending_ = z_.avail_out == 0;
      }
    }
    out.resize(produced);
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

constexpr std::size_t bounded_piece = 256 * 1024;

}  // namespace

compression detect_compression(std::string_view b) {
  if (b.size() >= 4 && static_cast<unsigned char>(b[0]) == 0x28 && static_cast<unsigned char>(b[1]) == 0xB5 &&
      static_cast<unsigned char>(b[2]) == 0x2F && static_cast<unsigned char>(b[3]) == 0xFD)
    return compression::zstd;
  if (b.size() >= 2 && static_cast<unsigned char>(b[0]) == 0x1F && static_cast<unsigned char>(b[1]) == 0x8B)
    return compression::gzip;
  return compression::none;
}

std::unique_ptr<decoder> make_decoder(compression c) {
  switch (c) {
    case compression::gzip: return std::make_unique<gzip_decoder>();
    case compression::zstd: return std::make_unique<zstd_decoder>();
    default: return nullptr;
  }
}

bool decode_bounded(decoder& d, std::string_view in, std::string& out, std::uint64_t max_out, std::string& error) {
  d.feed(in);
  std::string piece;
  for (;;) {
    if (!d.next(piece, bounded_piece)) {
      error = d.error();
      return false;
    }
    if (piece.empty()) return true;
    if (out.size() + piece.size() > max_out) {
      error = "too large";
      return false;
    }
    out.append(piece);
  }
}

std::string zstd_compress(std::string_view bytes) {
  std::string out(ZSTD_compressBound(bytes.size()), '\0');
  std::size_t n = ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), 3);
  if (ZSTD_isError(n)) return {};
  out.resize(n);
  return out;
}

bool zstd_decompress(std::string_view frame, std::string& out, std::uint64_t max_out) {
  auto d = make_decoder(compression::zstd);
  std::string ignored;
  return decode_bounded(*d, frame, out, max_out, ignored) && d->finish();
}

}  // namespace crawl::storage
