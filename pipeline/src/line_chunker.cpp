#include "crawl/pipeline/line_chunker.hpp"

#include <cstring>

namespace crawl::pipeline {

void line_chunker::emit(const sink& out, bool truncated) {
  chunk c{std::move(carry_), truncated};
  carry_ = std::string();
  carry_.reserve(chunk_bytes_ + 1024);
  line_start_ = 0;
  consumed_ += c.bytes.size();
  out(std::move(c));
}

void line_chunker::feed(std::string_view bytes, const sink& out) {
  while (!bytes.empty()) {
    if (skipping_) {
      const void* nl = std::memchr(bytes.data(), '\n', bytes.size());
      std::size_t skip = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data()) + 1 : bytes.size();
      consumed_ += skip;
      bytes.remove_prefix(skip);
      if (nl) skipping_ = false;
      continue;
    }
    // Take up to the chunk size, then cut after the last newline seen.
    std::size_t room = chunk_bytes_ > carry_.size() ? chunk_bytes_ - carry_.size() : 0;
    std::size_t take = std::min(bytes.size(), std::max<std::size_t>(room, 64 * 1024));
    std::size_t old = carry_.size();
    carry_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    // Where does the last complete line end in what was just appended?
    const char* base = carry_.data();
    const char* last_nl = nullptr;
    for (const char* p = base + carry_.size(); p > base + old;) {
      --p;
      if (*p == '\n') {
        last_nl = p;
        break;
      }
    }
    if (last_nl) line_start_ = static_cast<std::size_t>(last_nl - base) + 1;
    std::size_t partial = carry_.size() - line_start_;
    if (partial > max_line_) {
      // The line in progress is too long: hand out what came before it, then
      // the line cut to max_line, and skip the rest of it.
      std::string line = carry_.substr(line_start_ + 0, max_line_);
      std::size_t extra = partial - max_line_;
      carry_.resize(line_start_);
      if (!carry_.empty()) emit(out, false);
      carry_ = std::move(line);
      emit(out, true);
      consumed_ += extra;
      skipping_ = true;
      continue;
    }
    if (carry_.size() >= chunk_bytes_ && line_start_ > 0) {
      std::string rest = carry_.substr(line_start_);
      carry_.resize(line_start_);
      emit(out, false);
      carry_ = std::move(rest);
    }
  }
}

void line_chunker::flush(const sink& out) {
  if (line_start_ == 0) return;
  std::string rest = carry_.substr(line_start_);
  carry_.resize(line_start_);
  emit(out, false);
  carry_ = std::move(rest);
}

void line_chunker::finish(const sink& out) {
  if (!carry_.empty()) emit(out, false);
  skipping_ = false;
}

}  // namespace crawl::pipeline
