#pragma once
// Exact 64-bit word counts with memory proportional to the distinct words.
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace crawl::pipeline {

struct word_count {
  std::string_view word;
  std::uint64_t count;
};

// Keys are copied once into an arena of large blocks, so a lookup of a
// known word never allocates.
//
// The table is written by hand: counting is most of the text core's time,
// and a general map (boost::unordered_flat_map was 61% of the word counter,
// mostly out-of-line hash, compare and group probing) does more per lookup
// than words need. Open addressing with linear probing; each slot keeps 32
// bits of the hash and the length beside the key, so a probe touches the
// key's bytes only when both already agree.
// Not thread-safe: keep one per thread and merge() at the end.
class word_counts {
 public:
  word_counts() = default;
  word_counts(const word_counts&) = delete;
  word_counts& operator=(const word_counts&) = delete;
  word_counts(word_counts&&) noexcept = default;
  word_counts& operator=(word_counts&&) noexcept = default;

  void add(std::string_view word, std::uint64_t n = 1);
  void merge(const word_counts& other);
  std::uint64_t get(std::string_view word) const;
  std::size_t distinct() const { return used_; }
  std::uint64_t total() const { return total_; }
  // Forgets every word but keeps the first arena block for reuse.
  void clear();

  template <class F>
  void for_each(F&& f) const {
    for (const slot& s : slots_)
      if (s.data) f(word_count{std::string_view(s.data, s.size), s.count});
  }

 private:
  struct slot {
    const char* data = nullptr;  // null: empty
    std::uint32_t size = 0;
    std::uint32_t tag = 0;  // the hash's high half
    std::uint64_t count = 0;
  };
  static std::uint64_t hash(std::string_view s) noexcept;
  // The slot holding `word`, or the empty slot where it would go.
  slot& find_slot(std::string_view word, std::uint64_t h) const;
  void grow();
  std::string_view store(std::string_view word);

  mutable std::vector<slot> slots_;  // a power of two in size, or empty
  std::size_t used_ = 0;
  struct block {
    std::unique_ptr<char[]> data;
    std::size_t size;
  };
  std::vector<block> blocks_;
  char* free_ = nullptr;
  std::size_t free_left_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace crawl::pipeline
