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

// Reads words 8 bytes at a time; std::hash goes through a general routine.
std::uint64_t word_counts::hash(std::string_view s) noexcept {
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xC2B2AE3D27D4EB4Full);
  while (n > 8) {
    h = (h ^ load8(p)) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
    p += 8;
    n -= 8;
  }
  if (n > 0) h = (h ^ load_tail(p, n)) * 0x94D049BB133111EBull;
  return h ^ (h >> 29);
}

namespace {

bool same_bytes(const char* p, const char* q, std::size_t n) {
  while (n > 8) {
    if (load8(p) != load8(q)) return false;
    p += 8;
    q += 8;
    n -= 8;
  }
  return n == 0 || load_tail(p, n) == load_tail(q, n);
}

}  // namespace

word_counts::slot& word_counts::find_slot(std::string_view word, std::uint64_t h) const {
  std::size_t mask = slots_.size() - 1;
  auto tag = static_cast<std::uint32_t>(h >> 32);
  for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
    slot& s = slots_[i];
    if (!s.data) return s;
    if (s.tag == tag && s.size == word.size() && same_bytes(s.data, word.data(), word.size())) return s;
  }
}

// Doubles the table (first size 64) and puts every word back.
void word_counts::grow() {
  std::vector<slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, slot{});
  std::size_t mask = slots_.size() - 1;
  for (const slot& s : old) {
    if (!s.data) continue;
    std::uint64_t h = hash(std::string_view(s.data, s.size));
    std::size_t i = static_cast<std::size_t>(h) & mask;
    while (slots_[i].data) i = (i + 1) & mask;
    slots_[i] = s;
  }
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
  // At most 3/4 full: linear probes stay short.
  if ((used_ + 1) * 4 > slots_.size() * 3) grow();
  std::uint64_t h = hash(word);
  slot& s = find_slot(word, h);
  if (!s.data) {
    std::string_view stored = store(word);
    s.data = stored.data();
    s.size = static_cast<std::uint32_t>(stored.size());
    s.tag = static_cast<std::uint32_t>(h >> 32);
    ++used_;
  }
  s.count += n;
}

void word_counts::merge(const word_counts& other) {
  other.for_each([&](const word_count& w) { add(w.word, w.count); });
}

std::uint64_t word_counts::get(std::string_view word) const {
  if (slots_.empty()) return 0;
  const slot& s = find_slot(word, hash(word));
  return s.data ? s.count : 0;
}

void word_counts::clear() {
  std::fill(slots_.begin(), slots_.end(), slot{});
  used_ = 0;
  total_ = 0;
  if (blocks_.empty()) return;
  blocks_.resize(1);
  free_ = blocks_.front().data.get();
  free_left_ = blocks_.front().size;
}

}  // namespace crawl::pipeline
