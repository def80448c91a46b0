#include "crawl/crawler/url_list_reader.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>

namespace crawl::crawler {
namespace {
constexpr std::size_t read_size = 64 * 1024;
}

url_list_reader::url_list_reader(int fd) : fd_(fd) { buf_.reserve(read_size + max_url_line + 2); }

url_list_reader::~url_list_reader() {
  if (fd_ > 0) ::close(fd_);
}

void url_list_reader::open(int fd) {
  if (fd_ > 0) ::close(fd_);
  fd_ = fd;
  buf_.clear();
  pos_ = 0;
  eof_ = false;
  read_error_.clear();
  line_no_ = 0;
  read_ = 0;
}

std::optional<url_line> url_list_reader::seed(std::string_view text) {
  url_line line = parse_url_line(text, 0);
  if (line.url && !owns_host(shard_, line.url->host)) {
    ++other_shard_;
    keep_other(std::move(*line.url));
    return std::nullopt;
  }
  if (line.url && !seen_.insert(std::hash<std::string_view>{}(line.url->url)).second) {
    ++duplicates_;
    return std::nullopt;
  }
  if (!line.url && line.error.empty()) line.error = "not a URL";
  return line;
}

void url_list_reader::keep_other(normalized_url url) {
  if (keep_others_ && other_origins_.insert(origin_of(url.url)).second) others_.push_back(std::move(url));
}

bool url_list_reader::fill() {
  if (eof_ || fd_ < 0) return false;
  buf_.erase(0, pos_);
  pos_ = 0;
  std::size_t old = buf_.size();
  buf_.resize(old + read_size);
  ssize_t n;
  do {
    n = ::read(fd_, buf_.data() + old, read_size);
  } while (n < 0 && errno == EINTR);
  buf_.resize(old + (n > 0 ? static_cast<std::size_t>(n) : 0));
  if (n > 0) read_ += static_cast<std::uint64_t>(n);
  if (n < 0) read_error_ = std::string("read error: ") + std::strerror(errno);
  if (n <= 0) eof_ = true;
  return n > 0;
}

// A line longer than max_url_line is skipped to its end without being kept.
std::optional<std::string_view> url_list_reader::next_raw_line(bool& too_long) {
  too_long = false;
  for (;;) {
    auto nl = buf_.find('\n', pos_);
    if (nl != std::string::npos) {
      std::string_view line(buf_.data() + pos_, nl - pos_);
      pos_ = nl + 1;
      if (too_long) return std::string_view{};
      return line;
    }
    if (buf_.size() - pos_ > max_url_line) {
      too_long = true;
      pos_ = buf_.size();
    }
    if (!fill()) {
      if (pos_ == buf_.size()) return too_long ? std::optional<std::string_view>(std::string_view{}) : std::nullopt;
      std::string_view line(buf_.data() + pos_, buf_.size() - pos_);
      pos_ = buf_.size();
      return line;
    }
  }
}

std::optional<url_line> url_list_reader::next() {
  for (;;) {
    bool too_long = false;
    auto raw = next_raw_line(too_long);
    if (!raw) {
      if (read_error_.empty()) return std::nullopt;
      url_line line{line_no_ + 1, std::nullopt, std::move(read_error_)};
      read_error_.clear();
      return line;
    }
    ++line_no_;
    if (too_long && !reports_bad_lines()) {
      ++other_shard_;
      continue;
    }
    if (too_long) return url_line{line_no_, std::nullopt, "line longer than 8 KiB"};
    url_line line = parse_url_line(*raw, line_no_);
    if (line.url) {
      if (!owns_host(shard_, line.url->host)) {
        ++other_shard_;
        keep_other(std::move(*line.url));
        continue;
      }
      if (!seen_.insert(std::hash<std::string_view>{}(line.url->url)).second) {
        ++duplicates_;
        continue;
      }
      return line;
    }
    if (line.error.empty()) continue;
    if (!reports_bad_lines()) {
      ++other_shard_;
      continue;
    }
    return line;
  }
}

}  // namespace crawl::crawler
