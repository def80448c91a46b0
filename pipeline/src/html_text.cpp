#include "crawl/pipeline/html_text.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace crawl::pipeline {
namespace {

struct entity_row {
  const char* name;
  const char* value;
};
constexpr entity_row entity_table[] = {
#include "html_entities.inc"
};

constexpr std::size_t max_tag_name = 16;
constexpr std::size_t max_entity = 32;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_alpha(c) || (c >= '0' && c <= '9'); }
char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// A tag name of up to 7 bytes as one number, its length in the top byte (0
// for longer names), so a set of names is a scan of integers: every tag's end
// looks up its name, and a scan of string_views (a memcmp call each) was 3%
// of a crawl's text work.
constexpr std::uint64_t packed_name(std::string_view name) {
  if (name.size() > 7) return 0;
  std::uint64_t v = name.size();
  for (char c : name) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

// Elements that flow with the text around them: no word break at their tags.
bool is_inline(std::string_view name) {
  static constexpr std::uint64_t names[] = {
      packed_name("a"),      packed_name("abbr"),   packed_name("b"),    packed_name("bdi"),
      packed_name("bdo"),    packed_name("cite"),   packed_name("code"), packed_name("data"),
      packed_name("dfn"),    packed_name("em"),     packed_name("font"), packed_name("i"),
      packed_name("kbd"),    packed_name("mark"),   packed_name("q"),    packed_name("s"),
      packed_name("samp"),   packed_name("small"),  packed_name("span"), packed_name("strike"),
      packed_name("strong"), packed_name("sub"),    packed_name("sup"),  packed_name("time"),
      packed_name("tt"),     packed_name("u"),      packed_name("var"),  packed_name("wbr")};
  std::uint64_t key = packed_name(name);
  if (key == 0) return false;
  return std::find(std::begin(names), std::end(names), key) != std::end(names);
}

// Start tags whose attributes carry links or say whether to follow them.
bool is_link_tag(std::string_view name) {
  return name == "a" || name == "area" || name == "frame" || name == "iframe" || name == "link" || name == "base" ||
         name == "meta";
}

// Whether the space- or comma-separated list `list` holds `token`, in any case.
bool has_token(std::string_view list, std::string_view token) {
  std::size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && (is_space(list[i]) || list[i] == ',')) ++i;
    std::size_t j = i;
    while (j < list.size() && !is_space(list[j]) && list[j] != ',') ++j;
    std::string_view word = list.substr(i, j - i);
    if (word.size() == token.size() &&
        std::equal(word.begin(), word.end(), token.begin(), [](char a, char b) { return to_lower(a) == b; }))
      return true;
    i = j;
  }
  return false;
}

// Elements whose content is raw text up to their end tag and never visible.
bool is_raw_hidden(std::string_view name) {
  return name == "script" || name == "style" || name == "noscript" || name == "xmp" ||
         name == "iframe" || name == "noembed" || name == "noframes";
}

void append_utf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// HTML maps numeric references 0x80-0x9F as windows-1252 does.
constexpr std::array<char16_t, 32> c1_remap = {
    0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};

bool decode_numeric(std::string_view digits, bool hex, std::string& out) {
  if (digits.empty()) return false;
  std::uint32_t cp = 0;
  for (char c : digits) {
    std::uint32_t d = (c >= '0' && c <= '9') ? c - '0' : (to_lower(c) - 'a' + 10);
    cp = cp * (hex ? 16 : 10) + d;
    if (cp > 0x10FFFF) cp = 0x110000;  // saturate; replaced below
  }
  if (cp >= 0x80 && cp <= 0x9F) cp = c1_remap[cp - 0x80];
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  append_utf8(cp, out);
  return true;
}

}  // namespace

bool decode_html_entity(std::string_view name, std::string& out) {
  if (!name.empty() && name[0] == '#') {
    std::string_view digits = name.substr(1);
    if (!digits.empty() && digits.back() == ';') digits.remove_suffix(1);
    bool hex = !digits.empty() && (digits[0] == 'x' || digits[0] == 'X');
    if (hex) digits.remove_prefix(1);
    for (char c : digits) {
      bool ok = hex ? (is_alnum(c) && (c <= '9' || to_lower(c) <= 'f')) : (c >= '0' && c <= '9');
      if (!ok) return false;
    }
    return decode_numeric(digits, hex, out);
  }
  auto it = std::lower_bound(std::begin(entity_table), std::end(entity_table), name,
                             [](const entity_row& row, std::string_view key) { return row.name < key; });
  if (it == std::end(entity_table) || it->name != name) return false;
  out.append(it->value);
  return true;
}

namespace {

// How many bytes from p come before the first '<' or '&' (n if none).
// SSE2 looks at 16 bytes at a time: the byte loop was the largest part of
// extraction (8.5 instructions per byte of a page, by callgrind).
std::size_t plain_text_run(const char* p, std::size_t n) {
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i lt = _mm_set1_epi8('<'), amp = _mm_set1_epi8('&');
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    auto hits = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, lt), _mm_cmpeq_epi8(v, amp))));
    if (hits) return i + static_cast<unsigned>(__builtin_ctz(hits));
  }
#endif
  while (i < n && p[i] != '<' && p[i] != '&') ++i;
  return i;
}

}  // namespace

void html_text::feed(std::string_view html, std::string& out) {
  std::size_t i = 0;
  const std::size_t n = html.size();
  while (i < n) {
    if (state_ == state::text) {
      // Fast path: copy a run of plain text in one go.
      std::size_t j = i + plain_text_run(html.data() + i, n - i);
      if (!suppressed()) out.append(html.data() + i, j - i);
      i = j;
    } else if (state_ == state::value_dq || state_ == state::value_sq) {
      i += take_quoted_value(html.data() + i, n - i);
    } else {
      i += ignored_run(html.data() + i, n - i);
    }
    if (i == n) break;
    step(html[i], out);
    ++i;
  }
}

// How many bytes from p step() would pass over without effect in the current
// state: inside quoted attribute values, bogus comments, and script or style
// text away from a possible end tag.
std::size_t html_text::ignored_run(const char* p, std::size_t n) const {
  char until = 0;
  switch (state_) {
    case state::bogus_comment: until = '>'; break;
    case state::raw_text: until = raw_matched_ == 0 ? '<' : 0; break;
    default: break;
  }
  if (!until) return 0;
  const void* hit = std::memchr(p, until, n);
  return hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - p) : n;
}

// A quoted attribute value up to its closing quote, in one go (kept only
// when the tag's links are collected).
std::size_t html_text::take_quoted_value(const char* p, std::size_t n) {
  const void* hit = std::memchr(p, state_ == state::value_dq ? '"' : '\'', n);
  std::size_t run = hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - p) : n;
  if (!collecting_) return run;
  std::size_t room = html_links::max_url + 1 - std::min(attr_value_.size(), html_links::max_url + 1);
  attr_value_.append(p, std::min(run, room));  // one byte over the limit marks it too long
  return run;
}

void html_text::finish(std::string& out) {
  if (state_ == state::entity) flush_entity(out, false);
  else if (state_ == state::tag_open && !suppressed()) out.push_back('<');
  state_ = state::text;
  out.push_back(' ');
}

void html_text::flush_entity(std::string& out, bool terminated_by_semicolon) {
  if (terminated_by_semicolon) entity_.push_back(';');
  if (!suppressed() && !decode_html_entity(entity_, out)) {
    out.push_back('&');
    out.append(entity_);
  }
  entity_.clear();
  state_ = state::text;
}

void html_text::on_tag_end(std::string& out) {
  state_ = state::text;
  if (collecting_) emit_links();
  collecting_ = false;
  if (name_.empty()) return;
  // As a string_view the lengths are compared first: std::string's operator==
  // with a literal calls memcmp for every tag.
  if (std::string_view(name_) == "template") {
    if (!end_tag_) ++skip_depth_;
    else if (skip_depth_ > 0) --skip_depth_;
  } else if (!end_tag_ && is_raw_hidden(name_)) {
    raw_end_ = name_;
    raw_matched_ = 0;
    state_ = state::raw_text;
  }
  if (!is_inline(name_) && !suppressed()) out.push_back(' ');
}

// One byte of the tokenizer's state machine, outside the plain-text fast path.
void html_text::step(char c, std::string& out) {
  switch (state_) {
    case state::text:
      if (c == '<') {
        state_ = state::tag_open;
      } else if (c == '&') {
        entity_.clear();
        state_ = state::entity;
      } else if (!suppressed()) {
        out.push_back(c);
      }
      return;
    case state::entity:
      if (is_alnum(c) || (c == '#' && entity_.empty()) ) {
        if (entity_.size() < max_entity) {
          entity_.push_back(c);
          return;
        }
      }
      flush_entity(out, c == ';');
      if (c != ';') step(c, out);  // the byte that ended the reference is text or markup
      return;
    case state::tag_open:
      name_.clear();
      end_tag_ = false;
      if (is_alpha(c)) {
        name_.push_back(to_lower(c));
        state_ = state::tag_name;
      } else if (c == '/') {
        end_tag_ = true;
        state_ = state::end_tag_open;
      } else if (c == '!') {
        state_ = state::markup_decl;
      } else if (c == '?') {
        state_ = state::bogus_comment;
      } else {  // a lone '<' is text
        state_ = state::text;
        if (!suppressed()) out.push_back('<');
        if (c == '<' || c == '&') step(c, out);
        else if (!suppressed()) out.push_back(c);
      }
      return;
    case state::end_tag_open:
      if (is_alpha(c)) {
        name_.push_back(to_lower(c));
        state_ = state::tag_name;
      } else if (c == '>') {
        state_ = state::text;
      } else {
        state_ = state::bogus_comment;
      }
      return;
    case state::tag_name:
      if (is_space(c) || c == '/') {
        state_ = state::in_tag;
        collecting_ = links_ && !end_tag_ && is_link_tag(name_);
        if (collecting_) attrs_ = link_attributes{};
      } else if (c == '>') {
        on_tag_end(out);
      } else if (name_.size() < max_tag_name) {
        name_.push_back(to_lower(c));
      }
      return;
    case state::in_tag:
      return step_attribute(c, out);
    case state::markup_decl:
      name_.push_back(c);
      if (name_ == "--") {
        dashes_ = 2;  // so "<!-->" and "<!--->" end at once, as in HTML5
        state_ = state::comment;
      } else if (name_ == "[CDATA[") {
        dashes_ = 0;
        state_ = state::cdata;
      } else if (c == '>') {
        state_ = state::text;
      } else if (std::string_view("--").substr(0, name_.size()) != name_ &&
                 std::string_view("[CDATA[").substr(0, name_.size()) != name_) {
        state_ = state::bogus_comment;
      }
      return;
    case state::comment:
      if (c == '>' && dashes_ >= 2) state_ = state::text;
      dashes_ = c == '-' ? dashes_ + 1 : 0;
      return;
    case state::cdata:
      if (c == '>' && dashes_ >= 2) state_ = state::text;
      dashes_ = c == ']' ? dashes_ + 1 : 0;
      return;
    case state::bogus_comment:
      if (c == '>') state_ = state::text;
      return;
    case state::raw_text: {
      // Looks for "</" + raw_end_ followed by a space, '/' or '>'.
      std::size_t want = raw_end_.size() + 2;
      if (raw_matched_ == want) {
        if (is_space(c) || c == '/' || c == '>') {
          name_ = raw_end_;
          end_tag_ = true;
          collecting_ = false;
          state_ = state::in_tag;
          if (c == '>') on_tag_end(out);
          return;
        }
        raw_matched_ = 0;
      }
      char expect = raw_matched_ == 0 ? '<' : raw_matched_ == 1 ? '/' : raw_end_[raw_matched_ - 2];
      if (to_lower(c) == expect) ++raw_matched_;
      else raw_matched_ = c == '<' ? 1 : 0;
      return;
    }
    case state::attr_name:
    case state::after_attr_name:
    case state::before_value:
    case state::value_dq:
    case state::value_sq:
    case state::value_unquoted:
      return step_attribute(c, out);
  }
}

// The attributes of a start tag, as HTML5 tokenizes them (a quote starts a
// value only after '='); their names and values are kept only when the
// tag's links are collected.
void html_text::step_attribute(char c, std::string& out) {
  auto append = [&] {
    if (collecting_ && attr_value_.size() <= html_links::max_url) attr_value_.push_back(c);
  };
  auto tag_ends = [&] {
    end_attribute();
    on_tag_end(out);
  };
  switch (state_) {
    case state::in_tag:
      if (c == '>') on_tag_end(out);
      else if (!is_space(c) && c != '/') start_attribute(c);
      return;
    case state::attr_name:
      if (is_space(c)) state_ = state::after_attr_name;
      else if (c == '=') state_ = state::before_value;
      else if (c == '>') tag_ends();
      else if (c == '/') end_attribute(), state_ = state::in_tag;
      else if (collecting_ && attr_name_.size() < max_tag_name) attr_name_.push_back(to_lower(c));
      return;
    case state::after_attr_name:
      if (is_space(c)) return;
      if (c == '=') {
        state_ = state::before_value;
        return;
      }
      end_attribute();
      if (c == '>') on_tag_end(out);
      else if (c == '/') state_ = state::in_tag;
      else start_attribute(c);
      return;
    case state::before_value:
      if (is_space(c)) return;
      if (c == '"') state_ = state::value_dq;
      else if (c == '\'') state_ = state::value_sq;
      else if (c == '>') tag_ends();
      else append(), state_ = state::value_unquoted;
      return;
    case state::value_dq:
    case state::value_sq:
      if (c == (state_ == state::value_dq ? '"' : '\'')) end_attribute(), state_ = state::in_tag;
      else append();
      return;
    case state::value_unquoted:
      if (is_space(c)) end_attribute(), state_ = state::in_tag;
      else if (c == '>') tag_ends();
      else append();
      return;
    default:
      return;
  }
}

void html_text::start_attribute(char c) {
  if (collecting_) {
    attr_name_.assign(1, to_lower(c));
    attr_value_.clear();
  }
  state_ = state::attr_name;
}

// Keeps the attributes links need; the first of a name wins, as in HTML.
void html_text::end_attribute() {
  if (!collecting_) return;
  std::string* field = attr_name_ == "href"      ? &attrs_.href
                       : attr_name_ == "src"     ? &attrs_.src
                       : attr_name_ == "rel"     ? &attrs_.rel
                       : attr_name_ == "name"    ? &attrs_.name
                       : attr_name_ == "content" ? &attrs_.content
                                                 : nullptr;
  if (field && field->empty()) *field = std::move(attr_value_);
  attr_name_.clear();
  attr_value_.clear();
}

namespace {

// An attribute value as a URL: character references decoded (a named one
// without ';' only when not followed by '=' or a letter or digit, as HTML
// does in attributes), tabs and newlines removed, spaces at the ends dropped.
std::string url_of_value(std::string_view value) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\t' || c == '\n' || c == '\r') continue;
    if (c != '&') {
      out.push_back(c);
      continue;
    }
    std::size_t j = i + 1;
    while (j < value.size() && j - i <= max_entity && (is_alnum(value[j]) || (value[j] == '#' && j == i + 1))) ++j;
    std::string_view name = value.substr(i + 1, j - i - 1);
    bool semicolon = j < value.size() && value[j] == ';';
    bool legacy_blocked = !semicolon && j < value.size() && (value[j] == '=' || is_alnum(value[j]));
    std::string decoded;
    if (!name.empty() && !legacy_blocked &&
        decode_html_entity(semicolon ? std::string(name) + ";" : std::string(name), decoded)) {
      out += decoded;
      i = semicolon ? j : j - 1;
    } else {
      out.push_back('&');
    }
  }
  auto first = out.find_first_not_of(" \f");
  if (first == std::string::npos) return {};
  return out.substr(first, out.find_last_not_of(" \f") - first + 1);
}

}  // namespace

void html_text::emit_links() {
  auto add = [&](const std::string& value, html_link::kind kind, bool nofollow) {
    if (value.empty()) return;
    std::string url = url_of_value(value);
    if (url.empty()) return;
    if (value.size() > html_links::max_url || links_->links.size() >= html_links::max_links) {
      ++links_->dropped;
      return;
    }
    links_->links.push_back(html_link{std::move(url), kind, nofollow});
  };
  if (name_ == "a" || name_ == "area") {
    add(attrs_.href, name_ == "a" ? html_link::kind::anchor : html_link::kind::area, has_token(attrs_.rel, "nofollow"));
  } else if (name_ == "frame" || name_ == "iframe") {
    add(attrs_.src, html_link::kind::frame, false);
  } else if (name_ == "link") {
    if (has_token(attrs_.rel, "canonical")) add(attrs_.href, html_link::kind::canonical, false);
  } else if (name_ == "base") {
    if (links_->base.empty() && !attrs_.href.empty() && attrs_.href.size() <= html_links::max_url)
      links_->base = url_of_value(attrs_.href);
  } else if (name_ == "meta" && has_token(attrs_.name, "robots")) {
    bool none = has_token(attrs_.content, "none");
    links_->page_nofollow = links_->page_nofollow || none || has_token(attrs_.content, "nofollow");
    links_->page_noindex = links_->page_noindex || none || has_token(attrs_.content, "noindex");
  }
}

}  // namespace crawl::pipeline
