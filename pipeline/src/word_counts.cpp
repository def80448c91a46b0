#include "crawl/pipeline/word_counts.hpp"

#include <algorithm>
#include <cstring>
#include <functional>

namespace crawl::pipeline {
namespace {
// Blocks grow from small (most tables are one page's words) to large.
constexpr std::size_t first_block_size = 4 * 1024;
constexpr std::size_t max_block_size = 256 * 1024;
}

namespace {

std::uint64_t load8(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
std::uint32_t load4(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// The last 1 to 8 bytes as one number, from overlapping whole loads: going
// byte by byte through memory would stall on store-to-load forwarding.
std::uint64_t load_tail(const char* p, std::size_t n) {
  if (n >= 4) return (static_cast<std::uint64_t>(load4(p)) << 32) | load4(p + n - 4);
  auto b = [](char c) { return static_cast<std::uint64_t>(static_cast<unsigned char>(c)); };
  return (b(p[0]) << 16) | (b(p[n / 2]) << 8) | b(p[n - 1]);
}

}  // namespace

// Hand-written because hashing and comparing are most of the cost of
// counting: words are short, and these read them 8 bytes at a time where
// std::hash and memcmp go through general routines. The table mixes the hash
// once more.
std::size_t word_counts::hasher::operator()(std::string_view s) const noexcept {
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xC2B2AE3D27D4EB4Full);
  while (n > 8) {
    h = (h ^ load8(p)) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    h = (h ^ load_tail(p, n)) * 0x94D049BB133111EBull;
    h ^= h >> 29;
  }
  return static_cast<std::size_t>(h);
}

bool word_counts::equal::operator()(std::string_view a, std::string_view b) const noexcept {
  std::size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  while (n > 8) {
    if (load8(p) != load8(q)) return false;
    p += 8;
    q += 8;
    n -= 8;
  }
  return n == 0 || load_tail(p, n) == load_tail(q, n);
}

std::string_view word_counts::store(std::string_view word) {
  if (word.size() > free_left_) {
    std::size_t next = blocks_.empty() ? first_block_size : std::min(blocks_.back().size * 2, max_block_size);
    std::size_t size = std::max(next, word.size());
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
