#pragma once
// Streaming extraction of the visible text of an HTML document.
#include <cstdint>
#include <string>
#include <string_view>

namespace crawl::pipeline {

// Feeds HTML in pieces of any size and appends the visible text to `out`:
// no tags, attributes or comments; no script, style, noscript or template
// content; CDATA sections and processing instructions are not visible; named
// and numeric character references are decoded; block-level tags become a
// space so they separate words, inline ones (b, i, span, a, ...) do not.
// Bytes outside markup pass through unchanged (any charset that is ASCII
// compatible works; convert to UTF-8 first). Memory is constant.
class html_text {
 public:
  void feed(std::string_view html, std::string& out);
  void finish(std::string& out);

 private:
  enum class state : std::uint8_t {
    text, tag_open, tag_name, end_tag_open, in_tag, attr_dq, attr_sq,
    markup_decl, comment, cdata, bogus_comment, entity, raw_text
  };
  void on_tag_end(std::string& out);
  std::size_t ignored_run(const char* p, std::size_t n) const;
  void flush_entity(std::string& out, bool terminated_by_semicolon);
  void step(char c, std::string& out);
  bool suppressed() const { return skip_depth_ > 0; }

  state state_ = state::text;
  bool end_tag_ = false;
  std::string name_;     // tag name (lowercased, at most 16 bytes) or markup declaration
  std::string entity_;   // reference name after '&', at most 32 bytes
  std::string raw_end_;  // in raw text: the element whose end tag closes it
  std::size_t raw_matched_ = 0;  // bytes of "</name" matched so far in raw text
  int dashes_ = 0;               // consecutive '-' (comment) or ']' (CDATA) seen
  int skip_depth_ = 0;           // open <template> elements
};

// Decodes the reference `name` (without '&'; with ';' when it had one).
// Returns false when it is not a known reference.
bool decode_html_entity(std::string_view name, std::string& out);

}  // namespace crawl::pipeline
