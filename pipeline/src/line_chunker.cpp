#include "crawl/pipeline/line_chunker.hpp"

#include <algorithm>
#include <cstring>

namespace crawl::pipeline {

void line_chunker::emit(const sink& out, bool truncated) {
  chunk c{std::move(carry_), truncated, skipped_};
  skipped_ = 0;
  carry_ = std::string();
  carry_.reserve(chunk_bytes_ + 1024);
  line_start_ = 0;
  consumed_ += c.bytes.size();
  out(std::move(c));
}

// Sets line_start_ just past the last newline in carry_[from, end), if any.
void line_chunker::find_line_start(std::size_t from) {
  for (std::size_t i = carry_.size(); i > from;) {
    if (carry_[--i] == '\n') {
      line_start_ = i + 1;
      return;
    }
  }
}

// Hands out the whole lines before line_start_ and keeps the rest.
void line_chunker::emit_whole_lines(const sink& out) {
  std::string rest = carry_.substr(line_start_);
  carry_.resize(line_start_);
  emit(out, false);
  carry_ = std::move(rest);
}

// The line from line_start_ runs to carry_[end] (exclusive) and is too long:
// the lines before it go out as they are, the line cut to max_line_ as a
// chunk of its own, the rest of it is dropped, and carry_[end, size) stays.
void line_chunker::cut_line(const sink& out, std::size_t end) {
  if (line_start_ > 0) {
    end -= line_start_;
    emit_whole_lines(out);
  }
  std::string rest = carry_.substr(end);
  std::size_t dropped = end - std::min(end, max_line_);
  carry_.resize(std::min(end, max_line_));
  emit(out, true);
  consumed_ += dropped;
  skipped_ += dropped;
  carry_ = std::move(rest);
  find_line_start(0);
}

void line_chunker::feed(std::string_view bytes, const sink& out) {
  while (!bytes.empty()) {
    if (skipping_) {
      const void* nl = std::memchr(bytes.data(), '\n', bytes.size());
      std::size_t skip = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data()) + 1 : bytes.size();
      consumed_ += skip;
      skipped_ += skip;
      bytes.remove_prefix(skip);
      if (nl) skipping_ = false;
      continue;
    }
    // Appending at most max_line_ bytes at a time means a line too long can
    // only be one that started before this append: the checks below see it.
    std::size_t room = chunk_bytes_ > carry_.size() ? chunk_bytes_ - carry_.size() : 0;
    std::size_t take = std::min({bytes.size(), std::max<std::size_t>(room, 64 * 1024), max_line_});
    std::size_t old = carry_.size();
    carry_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    const void* first_nl = std::memchr(carry_.data() + old, '\n', take);
    if (first_nl) {
      std::size_t at = static_cast<std::size_t>(static_cast<const char*>(first_nl) - carry_.data());
      if (at - line_start_ > max_line_) {
        cut_line(out, at + 1);  // the newline goes with the dropped rest
        continue;
      }
      find_line_start(old);
    }
    std::size_t partial = carry_.size() - line_start_;
    if (partial > max_line_) {
      // The line in progress is already too long: cut it now and skip the
      // rest of it as it arrives.
      cut_line(out, carry_.size());
      skipping_ = true;
      continue;
    }
    if (carry_.size() >= chunk_bytes_ && line_start_ > 0) emit_whole_lines(out);
  }
}

void line_chunker::flush(const sink& out) {
  if (line_start_ == 0) {
    if (skipped_ > 0) {  // report dropped bytes even without a line to carry them
      std::string keep = std::move(carry_);
      carry_.clear();
      emit(out, false);
      carry_ = std::move(keep);
    }
    return;
  }
  emit_whole_lines(out);
}

void line_chunker::finish(const sink& out) {
  if (!carry_.empty() || skipped_ > 0) emit(out, false);
  skipping_ = false;
}

}  // namespace crawl::pipeline
