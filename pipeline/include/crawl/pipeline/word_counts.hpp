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

// Each distinct word gets a dense id; its bytes are copied once into an
// arena of large blocks, so a lookup of a known word never allocates.
//
// The table is written by hand: counting is most of the text core's time,
// and a general map (boost::unordered_flat_map was 61% of the word counter,
// mostly out-of-line hash, compare and group probing) does more per lookup
// than words need. Open addressing with linear probing, in two tables. A
// word of 1 to 16 bytes (nearly all words; a Chinese word of 2 to 5
// characters is 6 to 15) is its own key: its bytes as little-endian numbers,
// held in the slot with its length, so a lookup reads one slot and nothing
// else; words of up to 8 bytes have 16-byte slots, of 9 to 16 bytes 24-byte
// slots. Any other word's slot holds its 64-bit hash, and its bytes are
// compared only when that agrees. Growing never reads a word. Measured
// against 8-byte slots that held 32 bits of a hash (every hit then read the
// word list and the word's bytes: three dependent loads):
// - 20 M words of 2 to 10 letters, Zipf over 5,000: 9.3 ns a word before,
//   8.5 with words of up to 8 bytes in their slots, 8.0 with up to 16;
//   words of 12 bytes alone: 9.3 and 5.5;
// - `crawl count`, 20 M words drawn evenly from 1 M of 3 to 12 letters:
//   3.3 s and 121 MB before, 1.6 s and 186 MB now. The price is memory for
//   each distinct word: with tables between 3/8 and 3/4 full, about 28
//   bytes of slots for a word of up to 8 bytes and 43 for 9 to 16, where it
//   was 14; beside those, 24 for its entry in the word list and counts, and
//   its bytes.
// Not thread-safe: keep one per thread and merge() at the end.
class word_counts {
 public:
  word_counts() = default;
  word_counts(const word_counts&) = delete;
  word_counts& operator=(const word_counts&) = delete;
  word_counts(word_counts&&) noexcept = default;
  word_counts& operator=(word_counts&&) noexcept = default;

  void add(std::string_view word, std::uint64_t n = 1) { add_id(intern(word), n); }
  // add() of a word of 1 to 8 bytes given as short_key() of it.
  void add_short(std::uint64_t key, std::size_t size) { add_id(intern_short(key, size)); }
  // add() of a word of 9 to 16 bytes given as mid_key() of it.
  void add_mid(std::uint64_t first, std::uint64_t rest, std::size_t size) { add_id(intern_mid(first, rest, size)); }
  // add() that refuses (false, nothing added) a count that would pass 2^64-1.
  bool add_checked(std::string_view word, std::uint64_t n) {
    std::uint32_t id = intern(word);
    if (counts_[id] + n < n || total_ + n < n) return false;
    add_id(id, n);
    return true;
  }
  // Bytes held: the table, each id's word and count, and the arena.
  std::size_t memory_bytes() const;
  void merge(const word_counts& other);
  std::uint64_t get(std::string_view word) const;
  // Words with a count above zero.
  std::size_t distinct() const;
  std::uint64_t total() const { return total_; }

  // The word's id, adding it with a count of zero if it is new. Ids are
  // dense from 0 and stay valid for the table's life.
  std::uint32_t intern(std::string_view word);
  // intern() of a word of 1 to 8 bytes given as short_key() of it: callers
  // that can load a word's bytes at once (the tokenizer's windows) skip a step.
  std::uint32_t intern_short(std::uint64_t key, std::size_t size);
  // A word of 1 to 8 bytes as a number: its bytes little-endian, zero above.
  static std::uint64_t short_key(std::string_view word) noexcept;
  // intern() of a word of 9 to 16 bytes given as mid_key() of it.
  std::uint32_t intern_mid(std::uint64_t first, std::uint64_t rest, std::size_t size);
  // A word of 9 to 16 bytes as two numbers: its first 8 bytes, and the rest
  // as short_key() makes them.
  struct mid_key {
    std::uint64_t first;
    std::uint64_t rest;
  };
  static mid_key make_mid_key(std::string_view word) noexcept;
  void add_id(std::uint32_t id, std::uint64_t n = 1) {
    counts_[id] += n;
    total_ += n;
  }
  std::string_view word(std::uint32_t id) const { return words_[id]; }

  template <class F>
  void for_each(F&& f) const {
    for (std::size_t id = 0; id < words_.size(); ++id)
      if (counts_[id] > 0) f(word_count{words_[id], counts_[id]});
  }

 private:
  struct slot {
    std::uint64_t key = 0;  // a word of 1 to 8 bytes: short_key() of it; no bytes or over 16: its hash
    std::uint32_t size = 0;  // the word's, or UINT32_MAX for any longer one
    std::uint32_t id_plus_one = 0;  // 0: empty
  };
  static std::size_t probe_start(const slot& s) noexcept;
  struct mid_slot {
    std::uint64_t first = 0;
    std::uint64_t rest = 0;
    std::uint32_t size = 0;
    std::uint32_t id_plus_one = 0;  // 0: empty
  };
  static std::size_t probe_start(const mid_slot& s) noexcept;
  std::size_t find_short(std::uint64_t key, std::size_t size) const;
  std::size_t find_mid(std::uint64_t first, std::uint64_t rest, std::size_t size) const;
  std::size_t find_long(std::uint64_t hash, std::string_view word) const;
  static std::uint64_t hash(std::string_view s) noexcept;
  template <class Slot>
  static std::size_t grow_table(std::vector<Slot>& slots);
  std::uint32_t insert_at(std::size_t slot_index, std::uint64_t key, std::string_view word);
  std::uint32_t new_id(std::string_view word);  // the word's bytes stored, its count 0
  std::string_view store(std::string_view word);

  std::vector<slot> slots_;  // a power of two in size, or empty
  std::size_t slots_used_ = 0;
  std::size_t grow_at_ = 0;  // slots_used_ that makes the table too full
  std::vector<mid_slot> mid_slots_;  // words of 9 to 16 bytes; a power of two in size, or empty
  std::size_t mid_used_ = 0;
  std::size_t mid_grow_at_ = 0;
  std::vector<std::string_view> words_;  // by id, into the arena
  std::vector<std::uint64_t> counts_;    // by id
  struct block {
    std::unique_ptr<char[]> data;
    std::size_t size;
  };
  std::vector<block> blocks_;
  char* free_ = nullptr;
  std::size_t free_left_ = 0;
  std::uint64_t total_ = 0;
};

// One document's words, held as ids into a dictionary (a word_counts,
// normally its worker's totals) and added to its counts only on commit():
// a page that fails half-way adds nothing, and counting a word costs one
// lookup in a table that stays in cache, not one in a per-page table and
// another when the page is merged.
class word_tally {
 public:
  explicit word_tally(word_counts& dictionary) : dictionary_(&dictionary) {}
  void add(std::string_view word) { ids_.push_back(dictionary_->intern(word)); }
  void add_short(std::uint64_t key, std::size_t size) { ids_.push_back(dictionary_->intern_short(key, size)); }
  void add_mid(std::uint64_t first, std::uint64_t rest, std::size_t size) {
    ids_.push_back(dictionary_->intern_mid(first, rest, size));
  }
  std::uint64_t total() const { return ids_.size(); }
  // Adds every word held to the dictionary's counts, and forgets them.
  void commit();
  // The words held, counted in a table of their own.
  word_counts counts() const;

 private:
  word_counts* dictionary_;
  std::vector<std::uint32_t> ids_;
};

}  // namespace crawl::pipeline
