#include "crawl/pipeline/word_counts.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <random>
#include <string>

using namespace crawl::pipeline;

namespace {

// The key the tokenizer's window path builds for a short word: its bytes as
// one little-endian number, zero above.
std::uint64_t loaded_key(std::string_view word) {
  std::uint64_t key = 0;
  std::memcpy(&key, word.data(), word.size());
  return key;
}

}  // namespace

TEST_CASE("a short word's key is its bytes whatever its length and bytes", "[counts]") {
  std::mt19937 rng(5);
  for (std::size_t n = 1; n <= 8; ++n) {
    for (int i = 0; i < 200; ++i) {
      std::string word;
      for (std::size_t k = 0; k < n; ++k) word.push_back(static_cast<char>(rng() % 256));  // NUL and 0xFF too
      INFO("length " << n);
      CHECK(word_counts::short_key(word) == loaded_key(word));
    }
  }
}

TEST_CASE("a word of 9 to 16 bytes is keyed by its first 8 bytes and the rest", "[counts]") {
  std::mt19937 rng(6);
  for (std::size_t n = 9; n <= 16; ++n) {
    for (int i = 0; i < 200; ++i) {
      std::string word;
      for (std::size_t k = 0; k < n; ++k) word.push_back(static_cast<char>(rng() % 256));
      INFO("length " << n);
      auto key = word_counts::make_mid_key(word);
      CHECK(key.first == loaded_key(std::string_view(word).substr(0, 8)));
      CHECK(key.rest == loaded_key(std::string_view(word).substr(8)));
    }
  }
}

TEST_CASE("words added by key and by bytes are one word, distinct by length and every byte", "[counts]") {
  std::mt19937 rng(11);
  std::map<std::string, std::uint64_t> want;
  word_counts counts;
  // Few letters and NUL bytes, so words of different lengths share their
  // keys' bits ("a" and "a\0"), and enough words that the tables grow often.
  const char alphabet[] = {'a', 'b', '\0', '\xff'};
  for (int i = 0; i < 60000; ++i) {
    std::size_t n = rng() % 21;  // 0 to 20: empty, short, middling and long
    std::string word;
    for (std::size_t k = 0; k < n; ++k) word.push_back(alphabet[rng() % 4]);
    ++want[word];
    std::string_view w = word;
    if (n >= 1 && n <= 8 && rng() % 2) counts.add_short(loaded_key(w), n);
    else if (n >= 9 && n <= 16 && rng() % 2) counts.add_mid(loaded_key(w.substr(0, 8)), loaded_key(w.substr(8)), n);
    else counts.add(word);
  }
  std::map<std::string, std::uint64_t> got;
  counts.for_each([&](word_count wc) { got[std::string(wc.word)] += wc.count; });
  CHECK(got == want);
  CHECK(counts.distinct() == want.size());
  for (const auto& [word, n] : want) CHECK(counts.get(word) == n);
  CHECK(counts.get("abababababab" "x") == 0);
  CHECK(counts.get("x") == 0);
  CHECK(counts.get("abababababababab" "abababababab") == 0);
}
