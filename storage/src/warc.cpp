#include "crawl/storage/warc.hpp"

#include <brotli/decode.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <random>

namespace crawl::storage {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

std::string new_record_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t a = rng(), b = rng();
  a = (a & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  b = (b & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // RFC 4122 variant
  char buf[64];
  std::snprintf(buf, sizeof buf, "<urn:uuid:%08x-%04x-%04x-%04x-%012llx>", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0xFFFF),
                static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFull));
  return buf;
}

std::string warc_date() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string numbered(const std::string& path, int n) {
  if (n == 0) return path;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "-%05d", n);
  std::string base = path;
  for (const char* ext : {".warc.zst", ".warc.gz", ".warc"}) {
    std::size_t len = std::strlen(ext);
    if (base.size() > len && base.compare(base.size() - len, len, ext) == 0)
      return base.substr(0, base.size() - len) + suffix + ext;
  }
  return base + suffix;
}

// Headers of an HTTP message: name (lowercased) to value, and where the body starts.
bool split_http(std::string_view message, long& status, std::map<std::string, std::string>& headers,
                std::size_t& body_at) {
  auto end = message.find("\r\n\r\n");
  if (end == std::string_view::npos) return false;
  body_at = end + 4;
  std::string_view head = message.substr(0, end);
  auto first = head.find("\r\n");
  std::string_view status_line = head.substr(0, first);
  auto sp = status_line.find(' ');
  if (sp == std::string_view::npos || status_line.rfind("HTTP/", 0) != 0) return false;
  status = std::strtol(std::string(status_line.substr(sp + 1, 3)).c_str(), nullptr, 10);
  std::size_t pos = first == std::string_view::npos ? head.size() : first + 2;
  while (pos < head.size()) {
    auto eol = head.find("\r\n", pos);
    std::string_view line = head.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    auto colon = line.find(':');
    if (colon != std::string_view::npos) headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
    if (eol == std::string_view::npos) break;
    pos = eol + 2;
  }
  return true;
}

// Removes chunked framing; false when the body is not chunked after all.
bool dechunk(std::string_view body, std::string& out) {
  std::size_t pos = 0;
  for (;;) {
    auto eol = body.find("\r\n", pos);
    if (eol == std::string_view::npos) return false;
    std::string size_text(body.substr(pos, eol - pos));
    char* end = nullptr;
    unsigned long long size = std::strtoull(size_text.c_str(), &end, 16);
    if (end == size_text.c_str()) return false;
    pos = eol + 2;
    if (size == 0) return true;
    if (pos + size > body.size()) return false;
    out.append(body.substr(pos, size));
    pos += size + 2;
  }
}

bool inflate_deflate(std::string_view in, std::string& out, std::uint64_t max_size) {
  for (int window : {15, -15}) {  // zlib-wrapped, as the standard says, or raw, as some servers send
    out.clear();
    z_stream z{};
    inflateInit2(&z, window);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    int rc = Z_OK;
    char block[64 * 1024];
    while (rc == Z_OK && out.size() <= max_size) {
      z.next_out = reinterpret_cast<Bytef*>(block);
      z.avail_out = sizeof block;
      rc = inflate(&z, Z_NO_FLUSH);
      out.append(block, sizeof block - z.avail_out);
      if (rc == Z_BUF_ERROR && z.avail_in == 0) break;
    }
    inflateEnd(&z);
    if (rc == Z_STREAM_END || (rc == Z_OK && out.size() > max_size)) return true;
  }
  return false;
}

bool unbrotli(std::string_view in, std::string& out, std::uint64_t max_size) {
  BrotliDecoderState* st = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  const uint8_t* next_in = reinterpret_cast<const uint8_t*>(in.data());
  std::size_t avail_in = in.size();
  BrotliDecoderResult rc = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
  while (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT && out.size() <= max_size) {
    uint8_t block[64 * 1024];
    uint8_t* next_out = block;
    std::size_t avail_out = sizeof block;
    rc = BrotliDecoderDecompressStream(st, &avail_in, &next_in, &avail_out, &next_out, nullptr);
    out.append(reinterpret_cast<char*>(block), sizeof block - avail_out);
  }
  BrotliDecoderDestroyInstance(st);
  return rc == BROTLI_DECODER_RESULT_SUCCESS || out.size() > max_size;
}

}  // namespace

// --- writing ---

warc_writer::warc_writer(std::string path, std::uint64_t max_size, std::string software)
    : path_(std::move(path)), max_size_(max_size), software_(std::move(software)) {}

bool warc_writer::open_next(std::string& error) {
  if (file_.is_open() && !file_.commit(error)) return false;
  std::string name = numbered(path_, files_opened_);
  if (!file_.open(name, error)) return false;
  ++files_opened_;
  written_ = 0;
  std::string info = "software: " + software_ + "\r\nformat: WARC File Format 1.1\r\n";
  append_record("warcinfo", "", "application/warc-fields", info, new_record_id(), "");
  return true;
}

void warc_writer::append_record(const std::string& type, const std::string& url, const std::string& content_type,
                                const std::string& block, const std::string& id, const std::string& concurrent_to) {
  std::string record = "WARC/1.1\r\nWARC-Type: " + type + "\r\nWARC-Record-ID: " + id + "\r\nWARC-Date: " +
                       warc_date() + "\r\n";
  if (!url.empty()) record += "WARC-Target-URI: " + url + "\r\n";
  if (!concurrent_to.empty()) record += "WARC-Concurrent-To: " + concurrent_to + "\r\n";
  record += "Content-Type: " + content_type + "\r\nContent-Length: " + std::to_string(block.size()) + "\r\n\r\n";
  record += block;
  record += "\r\n\r\n";
  std::string frame = zstd_compress(record);  // one frame per record, as .warc.zst readers expect
  file_.write(frame);
  written_ += frame.size();
}

bool warc_writer::write_exchange(const std::string& url, const std::string& request, const std::string& response,
                                 std::string& error) {
  if (!file_.is_open() || written_ >= max_size_) {
    if (!open_next(error)) return false;
  }
  std::string response_id = new_record_id();
  append_record("response", url, "application/http;msgtype=response", response, response_id, "");
  append_record("request", url, "application/http;msgtype=request", request, new_record_id(), response_id);
  return true;
}

bool warc_writer::close(std::string& error) {
  if (!file_.is_open()) return true;
  return file_.commit(error);
}

// --- reading ---

const std::string& warc_record::type() const {
  static const std::string none;
  auto it = headers.find("warc-type");
  return it == headers.end() ? none : it->second;
}

bool looks_like_warc(const std::string& path) { return leading_bytes(path, 5) == "WARC/"; }

std::unique_ptr<warc_reader> warc_reader::open(const std::string& path, std::string& error, std::uint64_t max_block) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = path + ": " + std::strerror(errno);
    return nullptr;
  }
  auto r = std::unique_ptr<warc_reader>(new warc_reader());
  r->fd_ = fd;
  r->path_ = path;
  r->max_block_ = max_block;
  return r;
}

warc_reader::~warc_reader() {
  if (fd_ >= 0) ::close(fd_);
}

// Appends one decoded piece (at most 1 MiB) to the buffer, reading the file
// as needed. false at the end of the file, or on a read or decoding error.
bool warc_reader::fill() {
  std::string_view piece;
  for (;;) {
    if (eof_) return false;
    if (source_.next(piece)) {
      buffer_.append(piece);
      return true;
    }
    if (!source_.error().empty() || at_end_) {
      eof_ = true;
      return false;
    }
    raw_.resize(256 * 1024);
    ssize_t n;
    do {
      n = ::read(fd_, raw_.data(), raw_.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) read_error_ = std::string("read error: ") + std::strerror(errno);
    if (n <= 0) {
      at_end_ = true;
      source_.end();
      continue;
    }
    source_.feed(std::string_view(raw_.data(), static_cast<std::size_t>(n)));
  }
}

void warc_reader::drop(std::size_t n) {
  buffer_.erase(0, n);
  offset_ += n;
}

// Drops `n` bytes of the stream, holding at most one piece at a time.
bool warc_reader::skip(std::uint64_t n) {
  for (;;) {
    std::size_t here = static_cast<std::size_t>(std::min<std::uint64_t>(n, buffer_.size()));
    drop(here);
    n -= here;
    if (n == 0) return true;
    if (!fill()) return false;
  }
}

// After a damaged record: drops bytes up to the next line that starts a
// record ("WARC/1."), so the records after it can still be read.
void warc_reader::resync() {
  drop(std::min<std::size_t>(1, buffer_.size()));
  for (;;) {
    auto at = buffer_.find("\nWARC/1.");
    if (at != std::string::npos) {
      drop(at + 1);
      return;
    }
    if (buffer_.size() > 8) drop(buffer_.size() - 8);  // a marker may straddle two pieces
    if (!fill()) {
      drop(buffer_.size());
      return;
    }
  }
}

bool warc_reader::fail(std::string& error, const std::string& what, bool resync_after) {
  error = path_ + ": " + what + " at byte " + std::to_string(offset_);
  if (resync_after) resync();
  return false;
}

namespace {

// A Content-Length value: decimal digits only, and it fits.
std::optional<std::uint64_t> parse_length(const std::string& text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

constexpr std::size_t max_record_head = 64 * 1024;

}  // namespace

bool warc_reader::next(warc_record& record, std::string& error) {
  record = warc_record{};
  std::size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (buffer_.size() > max_record_head) return fail(error, "record header longer than 64 KiB", true);
    if (!fill()) {
      if (!source_.error().empty()) {
        error = path_ + ": " + source_.error();
      } else if (!read_error_.empty()) {
        error = path_ + ": " + read_error_;
      } else if (buffer_.find_first_not_of("\r\n") != std::string::npos) {
        error = path_ + ": truncated record at byte " + std::to_string(offset_);
      }
      buffer_.clear();
      return false;
    }
  }
  std::string_view head(buffer_.data(), head_end);
  if (head.rfind("WARC/", 0) != 0) return fail(error, "not a WARC record", true);
  std::size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos < head.size()) {
    pos += 2;
    auto eol = head.find("\r\n", pos);
    std::string_view line = head.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    auto colon = line.find(':');
    if (colon != std::string_view::npos) record.headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
    pos = eol;
  }
  auto length_it = record.headers.find("content-length");
  if (length_it == record.headers.end()) return fail(error, "record without Content-Length", true);
  auto length = parse_length(length_it->second);
  if (!length) return fail(error, "record with a bad Content-Length '" + length_it->second + "'", true);
  std::uint64_t need = head_end + 4 + *length + 4;
  if (*length > max_block_) {
    fail(error, "record of " + std::to_string(*length) + " bytes (more than " + std::to_string(max_block_) +
                    ") skipped", false);
    if (!skip(need)) buffer_.clear();
    return false;
  }
  while (buffer_.size() < need) {
    if (!fill()) {
      error = path_ + ": truncated record at byte " + std::to_string(offset_);
      buffer_.clear();
      return false;
    }
  }
  record.block = buffer_.substr(head_end + 4, static_cast<std::size_t>(*length));
  drop(static_cast<std::size_t>(need));
  return true;
}

// --- archived HTTP responses ---

bool decode_http_response(std::string_view message, std::uint64_t max_size, http_response& out, std::string& error) {
  std::map<std::string, std::string> headers;
  std::size_t body_at = 0;
  if (!split_http(message, out.status, headers, body_at)) {
    error = "not an HTTP response";
    return false;
  }
  out.content_type = headers.count("content-type") ? headers["content-type"] : "";
  std::string_view body = message.substr(body_at);
  std::string dechunked;
  if (lower(headers["transfer-encoding"]).find("chunked") != std::string::npos && dechunk(body, dechunked))
    body = dechunked;
  std::string encoding = lower(headers["content-encoding"]);
  bool ok = true;
  out.body.clear();
  if (encoding.empty() || encoding == "identity") {
    out.body.assign(body);
  } else if (encoding == "gzip" || encoding == "x-gzip" || encoding == "zstd") {
    auto d = make_decoder(encoding == "zstd" ? compression::zstd : compression::gzip);
    std::string why;
    ok = decode_bounded(*d, body, out.body, max_size, why);
    if (!ok && why == "too large") {
      error = why;
      return false;
    }
  } else if (encoding == "deflate") {
    ok = inflate_deflate(body, out.body, max_size);
  } else if (encoding == "br") {
    ok = unbrotli(body, out.body, max_size);
  } else {
    error = "unknown Content-Encoding '" + encoding + "'";
    return false;
  }
  if (!ok) {
    error = "corrupt " + encoding + " body";
    return false;
  }
  if (out.body.size() > max_size) {
    error = "too large";
    return false;
  }
  return true;
}

}  // namespace crawl::storage
