#include "crawl/pipeline/word_counts.hpp"

#include <algorithm>
#include <cstring>
#include <functional>

namespace crawl::pipeline {
namespace {
constexpr std::size_t block_size = 256 * 1024;
}

std::size_t word_counts::hasher::operator()(std::string_view s) const noexcept {
  return std::hash<std::string_view>{}(s);
}

std::string_view word_counts::store(std::string_view word) {
  if (word.size() > free_left_) {
    std::size_t size = std::max(block_size, word.size());
    blocks_.push_back(block{std::make_unique<char[]>(size), size});
    free_ = blocks_.back().data.get();
    free_left_ = size;
  }
  std::memcpy(free_, word.data(), word.size());
  std::string_view stored(free_, word.size());
  free_ += word.size();
  free_left_ -= word.size();
  return stored;
}

void word_counts::add(std::string_view word, std::uint64_t n) {
  total_ += n;
  auto it = map_.find(word);
  if (it != map_.end()) {
    it->second += n;
    return;
  }
  map_.emplace(store(word), n);
}

void word_counts::merge(const word_counts& other) {
  for (const auto& [word, count] : other.map_) add(word, count);
}

std::uint64_t word_counts::get(std::string_view word) const {
  auto it = map_.find(word);
  return it == map_.end() ? 0 : it->second;
}

void word_counts::clear() {
  map_.clear();
  total_ = 0;
  if (blocks_.empty()) return;
  blocks_.resize(1);
  free_ = blocks_.front().data.get();
  free_left_ = blocks_.front().size;
}

}  // namespace crawl::pipeline
