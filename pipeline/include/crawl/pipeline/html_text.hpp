#pragma once
// Streaming extraction of the visible text of an HTML document.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crawl::pipeline {

// A link as the page wrote it (entities decoded, surrounding white space
// dropped), not yet resolved against the page's URL.
struct html_link {
  enum class kind : std::uint8_t { anchor, area, frame, canonical };
  std::string url;
  kind from = kind::anchor;
  bool nofollow = false;  // rel="nofollow" on this link
};

// What a page says about following it: its links in document order, its
// <base href>, and <meta name="robots"> (nofollow, noindex, none).
struct html_links {
  static constexpr std::size_t max_links = 10'000;  // more are counted in `dropped`, not kept
  static constexpr std::size_t max_url = 8 * 1024;  // a longer URL is dropped too
  std::vector<html_link> links;
  std::string base;  // the first <base href>
  bool page_nofollow = false;
  bool page_noindex = false;
  std::size_t dropped = 0;
};

// Feeds HTML in pieces of any size and appends the visible text to `out`:
// no tags, attributes or comments; no script, style, noscript or template
// content; CDATA sections and processing instructions are not visible; named
// and numeric character references are decoded; block-level tags become a
// space so they separate words, inline ones (b, i, span, a, ...) do not.
// Bytes outside markup pass through unchanged (any charset that is ASCII
// compatible works; convert to UTF-8 first). Memory is constant.
//
// With collect_links(), the same single pass also reads the attributes of
// the start tags that carry links (a, area, frame, iframe, link
// rel=canonical, base, meta name=robots) into `links`; other tags keep the
// fast path. Memory stays bounded: html_links' limits, 8 KiB per value.
class html_text {
 public:
  void feed(std::string_view html, std::string& out);
  void finish(std::string& out);
  void collect_links(html_links* links) { links_ = links; }

 private:
  enum class state : std::uint8_t {
    text, tag_open, tag_name, end_tag_open, in_tag,
    markup_decl, comment, cdata, bogus_comment, entity, raw_text,
    // a start tag's attributes
    attr_name, after_attr_name, before_value, value_dq, value_sq, value_unquoted
  };
  void on_tag_end(std::string& out);
  void step_attribute(char c, std::string& out);
  void start_attribute(char c);
  void end_attribute();
  void emit_links();
  std::size_t take_quoted_value(const char* p, std::size_t n);
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

  html_links* links_ = nullptr;
  bool collecting_ = false;  // this tag's attributes are read
  std::string attr_name_, attr_value_;
  struct link_attributes {
    std::string href, src, rel, name, content;
  } attrs_;
};

// Decodes the reference `name` (without '&'; with ';' when it had one).
// Returns false when it is not a known reference.
bool decode_html_entity(std::string_view name, std::string& out);

}  // namespace crawl::pipeline
