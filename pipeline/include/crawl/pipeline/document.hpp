#pragma once
// One document's bytes to word counts: charset -> visible text -> words.
#include "crawl/pipeline/charset.hpp"
#include "crawl/pipeline/html_text.hpp"
#include "crawl/pipeline/tokenizer.hpp"
#include "crawl/pipeline/word_counts.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace crawl::pipeline {

enum class content_kind { html, text, unknown, other };

// text/html and XHTML are html; other text/*, JSON and XML are text; a
// missing type is unknown (sniffed from the first bytes); the rest is other.
content_kind classify_content_type(std::string_view content_type);

// Feeds a document in pieces of any size. Not thread-safe; one thread at a time.
class document {
 public:
  // `charset` is the label from the Content-Type header, or empty.
  document(content_kind kind, std::string charset, std::shared_ptr<const token_rules> rules);
  document(const document&) = delete;  // tally_ may point at own_
  document& operator=(const document&) = delete;

  void feed(std::string_view bytes);
  void finish();

  // What the document decided to be after sniffing: other means skipped.
  content_kind kind() const { return kind_; }
  // Where words are interned and, on commit(), counted: call before the
  // first feed(). Default: a table of the document's own.
  void use_dictionary(word_counts& dictionary) { tally_ = word_tally(dictionary); }
  // An HTML document's links are read into `links` in the same pass: call before the first feed().
  void collect_links(html_links* links) { html_.collect_links(links); }
  // Adds the words held so far to the dictionary's counts and forgets them
  // (again later for the words that came since).
  void commit() { tally_.commit(); }
  // The document's words so far, in a table of their own (before commit()).
  word_counts counts() const { return tally_.counts(); }
  std::uint64_t words() const { return tally_.total(); }

 private:
  void start(std::string_view first_bytes);
  void process(std::string_view bytes);
  void tokenize(bool final);

  content_kind kind_;
  std::string charset_;
  bool started_ = false;
  std::string head_;  // the first bytes, kept until there are enough to sniff
  std::optional<charset_decoder> decoder_;
  html_text html_;
  tokenizer tokenizer_;
  std::string decoded_;  // UTF-8 from the decoder, waiting for HTML extraction
  std::string text_;     // visible text waiting for the tokenizer
  word_counts own_;      // the dictionary unless use_dictionary() gives another
  word_tally tally_{own_};
};

}  // namespace crawl::pipeline
