#include "crawl/storage/decoded_source.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace crawl::storage {

void decoded_source::detect(std::string_view first) {
  detected_ = true;
  kind_ = detect_compression(first);
  decoder_ = make_decoder(kind_);
}

void decoded_source::feed(std::string_view raw) {
  if (!detected_) {
    if (head_.empty() && raw.size() >= 4) {
      detect(raw);
    } else {
      // The magic needs 4 bytes; a pipe may give fewer at first.
      head_.append(raw);
      if (head_.size() < 4) return;
      detect(head_);
      raw = head_;  // kept in head_ until used up
    }
  }
  if (decoder_) decoder_->feed(raw);
  else in_ = raw;
}

void decoded_source::settle() {
  if (detected_) return;
  detect(head_);
  if (decoder_) decoder_->feed(head_);
  else in_ = head_;
}

void decoded_source::end() {
  ended_ = true;
  settle();
}

void decoded_source::start_plain() {
  detected_ = true;
  kind_ = compression::none;
  decoder_.reset();
}

bool decoded_source::next(std::string_view& piece) {
  if (!error_.empty()) return false;
  if (!decoder_) {
    if (in_.empty()) return false;
    std::size_t n = std::min(in_.size(), piece_bytes_);
    piece = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  if (!decoder_->next(out_, piece_bytes_)) {
    error_ = decoder_->error();
    return false;
  }
  if (!out_.empty()) {
    piece = out_;
    return true;
  }
  if (ended_ && !finished_) {
    finished_ = true;
    if (!decoder_->finish()) error_ = decoder_->error();
  }
  return false;
}

bool read_decoded(int fd, const std::string& path, const std::function<bool(std::string_view)>& take,
                  std::string& error) {
  decoded_source source;
  std::string block(256 * 1024, '\0');
  std::string_view piece;
  for (;;) {
    ssize_t n;
    do {
      n = ::read(fd, block.data(), block.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      error = path + ": read error: " + std::strerror(errno);
      return false;
    }
    if (n == 0) source.end();
    else source.feed(std::string_view(block.data(), static_cast<std::size_t>(n)));
    while (source.next(piece))
      if (!take(piece)) return true;
    if (!source.error().empty()) {
      error = path + ": " + source.error();
      return false;
    }
    if (n == 0) return true;
  }
}

std::string leading_bytes(const std::string& path, std::size_t n) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string out, ignored;
  read_decoded(fd, path, [&](std::string_view piece) {
    out.append(piece.substr(0, n - out.size()));
    return out.size() < n;
  }, ignored);
  ::close(fd);
  return out;
}

}  // namespace crawl::storage
