#include "crawl/pipeline/word_counts.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>

namespace crawl::pipeline {
namespace {
// Blocks grow from small (a table of one page's words, as --state keeps) to large.
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

namespace {

bool is_short(std::size_t n) { return n - 1 < 8; }  // 1 to 8 bytes
bool is_mid(std::size_t n) { return n - 9 < 8; }    // 9 to 16 bytes
std::uint32_t slot_size(std::size_t n) { return static_cast<std::uint32_t>(std::min<std::size_t>(n, UINT32_MAX)); }

// Where a short word's probe starts (the high half), from its key.
std::uint64_t short_hash(std::uint64_t key, std::size_t n) {
  std::uint64_t h = (key ^ (n * 0xC2B2AE3D27D4EB4Full)) * 0x94D049BB133111EBull;
  return h ^ (h >> 29);
}

// Where a word of 9 to 16 bytes starts its probe (the high half).
std::uint64_t mid_hash(std::uint64_t first, std::uint64_t rest, std::size_t n) {
  std::uint64_t h = ((first * 0xBF58476D1CE4E5B9ull) ^ rest ^ n) * 0x94D049BB133111EBull;
  return h ^ (h >> 29);
}

}  // namespace

word_counts::mid_key word_counts::make_mid_key(std::string_view word) noexcept {
  std::size_t n = word.size();
  return {load8(word.data()), load8(word.data() + n - 8) >> (8 * (16 - n))};
}

std::uint64_t word_counts::short_key(std::string_view word) noexcept {
  const char* p = word.data();
  std::size_t n = word.size();
  if (n >= 4) return load4(p) | (static_cast<std::uint64_t>(load4(p + n - 4)) << (8 * (n - 4)));
  auto b = [](char c) { return static_cast<std::uint64_t>(static_cast<unsigned char>(c)); };
  return b(p[0]) | (b(p[n / 2]) << (8 * (n / 2))) | (b(p[n - 1]) << (8 * (n - 1)));
}

// The hash of a word of no bytes or more than 16 (the others are their own
// keys), 8 bytes at a time; std::hash goes through a general routine.
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

std::size_t word_counts::memory_bytes() const {
  std::size_t bytes = slots_.capacity() * sizeof(slot) + mid_slots_.capacity() * sizeof(mid_slot) +
                      words_.capacity() * sizeof(std::string_view) +
                      counts_.capacity() * sizeof(std::uint64_t) + blocks_.capacity() * sizeof(block);
  for (const auto& b : blocks_) bytes += b.size;
  return bytes;
}

std::size_t word_counts::probe_start(const slot& s) noexcept {
  return static_cast<std::size_t>((is_short(s.size) ? short_hash(s.key, s.size) : s.key) >> 32);
}

std::size_t word_counts::probe_start(const mid_slot& s) noexcept {
  return static_cast<std::size_t>(mid_hash(s.first, s.rest, s.size) >> 32);
}

// Doubles a table (first size 64) and says how full it may get; a word's
// place comes from its slot alone.
template <class Slot>
std::size_t word_counts::grow_table(std::vector<Slot>& slots) {
  std::vector<Slot> old = std::move(slots);
  slots.assign(old.empty() ? 64 : old.size() * 2, Slot{});
  std::size_t mask = slots.size() - 1;
  for (const Slot& s : old) {
    if (!s.id_plus_one) continue;
    std::size_t i = probe_start(s) & mask;
    while (slots[i].id_plus_one) i = (i + 1) & mask;
    slots[i] = s;
  }
  return slots.size() / 4 * 3;  // at most 3/4 full: linear probes stay short
}

// The finders return where the word is, or the empty slot where it would
// go; the table must not be empty. Each is shared by intern and get.
std::size_t word_counts::find_short(std::uint64_t key, std::size_t n) const {
  std::size_t mask = slots_.size() - 1;
  std::size_t i = (short_hash(key, n) >> 32) & mask;
  while (slots_[i].id_plus_one && !(slots_[i].key == key && slots_[i].size == n)) i = (i + 1) & mask;
  return i;
}

std::size_t word_counts::find_mid(std::uint64_t first, std::uint64_t rest, std::size_t n) const {
  std::size_t mask = mid_slots_.size() - 1;
  std::size_t i = (mid_hash(first, rest, n) >> 32) & mask;
  for (; mid_slots_[i].id_plus_one; i = (i + 1) & mask) {
    const mid_slot& s = mid_slots_[i];
    if (s.first == first && s.rest == rest && s.size == n) break;
  }
  return i;
}

// A word of no bytes or more than 16, by its hash and then its bytes.
std::size_t word_counts::find_long(std::uint64_t h, std::string_view word) const {
  std::size_t n = word.size();
  std::size_t mask = slots_.size() - 1;
  std::size_t i = (h >> 32) & mask;
  for (; slots_[i].id_plus_one; i = (i + 1) & mask) {
    if (slots_[i].key != h || slots_[i].size != slot_size(n)) continue;
    std::string_view known = words_[slots_[i].id_plus_one - 1];
    if (known.size() == n && same_bytes(known.data(), word.data(), n)) break;
  }
  return i;
}

std::uint32_t word_counts::intern_mid(std::uint64_t first, std::uint64_t rest, std::size_t n) {
  if (mid_used_ >= mid_grow_at_) mid_grow_at_ = grow_table(mid_slots_);
  std::size_t i = find_mid(first, rest, n);
  if (mid_slots_[i].id_plus_one) return mid_slots_[i].id_plus_one - 1;
  char bytes[16];
  std::memcpy(bytes, &first, 8);
  std::memcpy(bytes + 8, &rest, 8);
  std::uint32_t id = new_id(std::string_view(bytes, n));
  mid_slots_[i] = mid_slot{first, rest, static_cast<std::uint32_t>(n), id + 1};
  ++mid_used_;
  return id;
}

std::uint32_t word_counts::intern_short(std::uint64_t key, std::size_t n) {
  if (slots_used_ >= grow_at_) grow_at_ = grow_table(slots_);
  std::size_t i = find_short(key, n);
  if (slots_[i].id_plus_one) return slots_[i].id_plus_one - 1;
  char bytes[8];
  std::memcpy(bytes, &key, 8);
  return insert_at(i, key, std::string_view(bytes, n));
}

std::uint32_t word_counts::intern(std::string_view word) {
  std::size_t n = word.size();
  if (is_short(n)) return intern_short(short_key(word), n);
  if (is_mid(n)) {
    mid_key key = make_mid_key(word);
    return intern_mid(key.first, key.rest, n);
  }
  if (slots_used_ >= grow_at_) grow_at_ = grow_table(slots_);
  std::uint64_t h = hash(word);
  std::size_t i = find_long(h, word);
  if (slots_[i].id_plus_one) return slots_[i].id_plus_one - 1;
  return insert_at(i, h, word);
}

std::uint32_t word_counts::insert_at(std::size_t i, std::uint64_t key, std::string_view word) {
  std::uint32_t id = new_id(word);
  slots_[i] = slot{key, slot_size(word.size()), id + 1};
  ++slots_used_;
  return id;
}

std::uint32_t word_counts::new_id(std::string_view word) {
  auto id = static_cast<std::uint32_t>(words_.size());
  words_.push_back(store(word));
  counts_.push_back(0);
  return id;
}

std::string_view word_counts::store(std::string_view word) {
  if (word.size() > free_left_) {
    std::size_t next = blocks_.empty() ? first_block_size : std::min(blocks_.back().size * 2, max_block_size);
    std::size_t size = std::max(next, word.size());
    blocks_.push_back(block{std::make_unique<char[]>(size), size});
    free_ = blocks_.back().data.get();
    free_left_ = size;
  }
  if (word.empty()) return {};  // nothing to copy; the arena may have no block yet (memcpy of null is UB)
  std::memcpy(free_, word.data(), word.size());
  std::string_view stored(free_, word.size());
  free_ += word.size();
  free_left_ -= word.size();
  return stored;
}

std::size_t word_counts::distinct() const {
  return static_cast<std::size_t>(std::count_if(counts_.begin(), counts_.end(), [](std::uint64_t n) { return n > 0; }));
}

void word_counts::merge(const word_counts& other) {
  other.for_each([&](const word_count& w) { add(w.word, w.count); });
}

std::uint64_t word_counts::get(std::string_view word) const {
  std::size_t n = word.size();
  std::uint32_t id_plus_one = 0;
  if (is_mid(n)) {
    if (mid_slots_.empty()) return 0;
    mid_key key = make_mid_key(word);
    id_plus_one = mid_slots_[find_mid(key.first, key.rest, n)].id_plus_one;
  } else {
    if (slots_.empty()) return 0;
    id_plus_one = slots_[is_short(n) ? find_short(short_key(word), n) : find_long(hash(word), word)].id_plus_one;
  }
  return id_plus_one ? counts_[id_plus_one - 1] : 0;
}

void word_tally::commit() {
  for (std::uint32_t id : ids_) dictionary_->add_id(id);
  ids_.clear();
}

word_counts word_tally::counts() const {
  word_counts out;
  for (std::uint32_t id : ids_) out.add(dictionary_->word(id));
  return out;
}

}  // namespace crawl::pipeline
