#pragma once
// The word rule. A word is a maximal run of Unicode letters, combining marks
// and decimal digits, lowercased by simple case mapping. Runs without a letter
// are dropped unless keep_numbers. Runs of Han, Hiragana, Katakana, Thai, Lao,
// Khmer and Myanmar, scripts written without spaces between words, are cut
// into words by ICU's dictionary-based word BreakIterator (segmentation::icu),
// or each Han, Hiragana and Katakana character is a word of its own
// (segmentation::character, the rule before ICU). A custom RE2 pattern can
// replace the rule.
#include "crawl/pipeline/word_counts.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace crawl::pipeline {

enum class segmentation { icu, character };

struct tokenizer_options {
  bool keep_numbers = false;
  // When set, every match of this RE2 pattern (its first capture group, if it
  // has one) is a word, lowercased. Empty: the word rule above.
  std::string token_pattern;
  segmentation segment = segmentation::icu;
};

// Runs longer than this many bytes are not words; they are dropped.
inline constexpr std::size_t max_word_bytes = 256;

// Compiled once and shared, read-only, by every thread's tokenizer.
class token_rules {
 public:
  explicit token_rules(const tokenizer_options& options);
  ~token_rules();
  // Empty when the options are valid, else why the pattern is not.
  const std::string& error() const { return error_; }
  bool keep_numbers() const { return keep_numbers_; }
  segmentation segment() const { return segment_; }
  const re2::RE2* pattern() const { return pattern_.get(); }

 private:
  bool keep_numbers_;
  segmentation segment_;
  std::unique_ptr<re2::RE2> pattern_;
  std::string error_;
};

// Streaming tokenizer for one document. Input is UTF-8 (invalid bytes are
// separators) and must be cut at code point boundaries; a word cut by the end
// of one feed() is completed by the next, or by finish().
//
// Words go to a Sink with add(std::string_view): a word_counts, or a
// word_tally that holds a document's words until it is committed.
class tokenizer {
 public:
  explicit tokenizer(std::shared_ptr<const token_rules> rules);
  template <class Sink>
  void feed(std::string_view text, Sink& out);
  template <class Sink>
  void finish(Sink& out);

 private:
  template <class Sink>
  void feed_rule(std::string_view text, Sink& out);
  template <class Sink>
  void feed_pattern(std::string_view text, bool final, Sink& out);
  template <class Sink>
  void end_word(Sink& out);
  template <class Sink>
  void end_run(Sink& out);
  template <class Sink>
  void segment_run(bool all, Sink& out);
  void append_code_point(char32_t cp);

  std::shared_ptr<const token_rules> rules_;
  std::string word_;  // the run in progress, already lowercased
  bool word_has_letter_ = false;
  bool word_too_long_ = false;
  std::string pending_;  // pattern mode: text that a match may still extend into
  std::string run_;      // a run of scripts without spaces, waiting for ICU to cut it
};

// A run of those scripts longer than this is cut into words before it
// ends, all but its last word, so memory stays bounded on a page without a
// single space.
inline constexpr std::size_t max_run_bytes = 64 * 1024;

// Length of the longest prefix of `text` that does not end inside a UTF-8
// sequence (an invalid tail counts as complete: it is data, not a cut).
std::size_t utf8_complete_prefix(std::string_view text);

}  // namespace crawl::pipeline
