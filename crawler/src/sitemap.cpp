#include "crawl/crawler/sitemap.hpp"

#include <expat.h>
#include <zlib.h>

#include <algorithm>
#include <utility>

namespace crawl::crawler {

namespace {

constexpr char ns_separator = '|';

std::string_view local_name(const XML_Char* name) {
  std::string_view n(name);
  if (auto bar = n.rfind(ns_separator); bar != std::string_view::npos) n.remove_prefix(bar + 1);
  return n;
}

std::string_view trim(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

}  // namespace

// The XML form: expat with namespace processing, so that <loc> is found
// whatever prefix the file gives the sitemap namespace.
struct sitemap_reader::xml {
  explicit xml(sitemap_reader& owner) : reader(owner), parser(XML_ParserCreateNS(nullptr, ns_separator)) {
    XML_SetUserData(parser, this);
    XML_SetElementHandler(parser, &xml::on_start, &xml::on_end);
    XML_SetCharacterDataHandler(parser, &xml::on_text);
    // A sitemap has no use for a DTD, and a DTD is how entity expansion
    // bombs are declared: one is refused outright.
    XML_SetStartDoctypeDeclHandler(parser, &xml::on_doctype);
  }
  ~xml() { XML_ParserFree(parser); }

  static void on_start(void* self, const XML_Char* name, const XML_Char**) { static_cast<xml*>(self)->start(local_name(name)); }
  static void on_end(void* self, const XML_Char*) { static_cast<xml*>(self)->end(); }
  static void on_text(void* self, const XML_Char* s, int len) {
    auto* x = static_cast<xml*>(self);
    if (x->in_loc && x->loc.size() <= max_loc) x->loc.append(s, static_cast<std::size_t>(std::min(len, static_cast<int>(max_loc + 1))));
  }
  static void on_doctype(void* self, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    auto* x = static_cast<xml*>(self);
    x->refused = "a sitemap may not declare a DTD (<!DOCTYPE>)";
    XML_StopParser(x->parser, XML_FALSE);
  }

  void start(std::string_view name) {
    ++depth;
    if (depth == 1) {
      if (name == "urlset") reader.kind_ = kind::urlset;
      else if (name == "sitemapindex") reader.kind_ = kind::index;
      else {
        refused = "not a sitemap: its root element is <" + std::string(name) + ">, not <urlset> or <sitemapindex>";
        XML_StopParser(parser, XML_FALSE);
      }
    } else if (depth == 2) {
      in_entry = (reader.kind_ == kind::urlset && name == "url") || (reader.kind_ == kind::index && name == "sitemap");
    } else if (depth == 3 && in_entry && name == "loc") {
      in_loc = true;
      loc.clear();
    }
  }
  void end() {
    if (in_loc && depth == 3) {
      in_loc = false;
      if (loc.size() <= max_loc) reader.add(trim(loc));
      if (reader.stopped_) XML_StopParser(parser, XML_FALSE);
    }
    if (depth == 2) in_entry = false;
    --depth;
  }

  // false: stop reading (an error, a refusal, or a limit).
  bool parse(std::string_view bytes, bool last) {
    if (XML_Parse(parser, bytes.data(), static_cast<int>(bytes.size()), last ? XML_TRUE : XML_FALSE) == XML_STATUS_OK)
      return true;
    if (reader.stopped_ && refused.empty()) return false;  // a limit: not an error
    std::string why = !refused.empty() ? refused : XML_ErrorString(XML_GetErrorCode(parser));
    reader.error_ = "not a readable sitemap at line " + std::to_string(XML_GetCurrentLineNumber(parser)) + ", byte " +
                    std::to_string(XML_GetCurrentByteIndex(parser)) + ": " + why;
    return false;
  }

  sitemap_reader& reader;
  XML_Parser parser;
  int depth = 0;
  bool in_entry = false, in_loc = false;
  std::string loc, refused;
};

struct sitemap_reader::inflater {
  inflater() { ok = inflateInit2(&z, 15 + 16) == Z_OK; }  // gzip wrapper only
  ~inflater() { inflateEnd(&z); }
  z_stream z{};
  bool ok = false, ended = false;
  std::uint64_t in_offset = 0;
};

sitemap_reader::sitemap_reader() = default;
sitemap_reader::~sitemap_reader() = default;

void sitemap_reader::limit(std::string why) {
  if (cut_.empty()) cut_ = std::move(why);
  stopped_ = true;
}

void sitemap_reader::add(std::string_view loc) {
  if (stopped_ || loc.empty()) return;
  if (found_ == max_urls) {
    limit("more than " + std::to_string(max_urls) + " locations: the rest are ignored");
    return;
  }
  ++found_;
  locs_.emplace_back(loc);
}

std::vector<std::string> sitemap_reader::take() { return std::exchange(locs_, {}); }

bool sitemap_reader::feed(std::string_view bytes) {
  if (stopped_ || !error_.empty()) return false;
  if (!started_) {
    // Two bytes tell gzip (1f 8b) from anything else.
    pending_.append(bytes);
    if (pending_.size() < 2) return true;
    started_ = true;
    if (static_cast<unsigned char>(pending_[0]) == 0x1f && static_cast<unsigned char>(pending_[1]) == 0x8b) {
      inflate_ = std::make_unique<inflater>();
      if (!inflate_->ok) {
        error_ = "zlib could not start";
        return false;
      }
    }
    std::string first = std::exchange(pending_, {});
    return feed(first);
  }
  if (!inflate_) return take_content(bytes);
  if (inflate_->ended) return true;  // what follows the gzip stream is ignored
  z_stream& z = inflate_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  char out[64 * 1024];
  while (z.avail_in > 0 && !stopped_) {
    z.next_out = reinterpret_cast<Bytef*>(out);
    z.avail_out = sizeof out;
    uInt before = z.avail_in;
    int rc = inflate(&z, Z_NO_FLUSH);
    inflate_->in_offset += before - z.avail_in;
    // What came out before an error is content all the same: the same
    // bytes fed in smaller pieces would have come out before it.
    if (!take_content(std::string_view(out, sizeof out - z.avail_out))) return false;
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      error_ = "not valid gzip at compressed byte " + std::to_string(inflate_->in_offset) + ": " + (z.msg ? z.msg : "error");
      return false;
    }
    if (rc == Z_STREAM_END) {
      inflate_->ended = true;
      break;
    }
    if (rc == Z_BUF_ERROR) break;
  }
  return !stopped_;
}

// Uncompressed content: its first byte that is not white space (after a
// byte order mark, which may arrive split) decides the form.
bool sitemap_reader::take_content(std::string_view bytes) {
  if (content_bytes_ + bytes.size() > max_bytes) {
    bytes = bytes.substr(0, static_cast<std::size_t>(max_bytes - content_bytes_));
    limit("more than " + std::to_string(max_bytes) + " bytes uncompressed: the rest is ignored");
  }
  content_bytes_ += bytes.size();
  if (xml_) return xml_->parse(bytes, false) && !stopped_;
  if (kind_ == kind::text) return text_lines(bytes, false) && !stopped_;
  std::string head;  // the first bytes, while a byte order mark may be under way
  if (!bom_checked_) {
    head_.append(bytes);
    if (head_.size() < utf8_bom.size() && utf8_bom.substr(0, head_.size()) == head_) return !stopped_;
    bom_checked_ = true;
    head = std::exchange(head_, {});
    bytes = head;
    if (bytes.substr(0, utf8_bom.size()) == utf8_bom) bytes.remove_prefix(utf8_bom.size());
  }
  return decide(bytes) && !stopped_;
}

bool sitemap_reader::decide(std::string_view bytes) {
  bytes.remove_prefix(std::min(bytes.size(), bytes.find_first_not_of(" \t\r\n\f\v")));
  if (bytes.empty()) return true;  // white space so far
  if (bytes.front() == '<') {
    // White space before the XML declaration is dropped, as browsers do.
    xml_ = std::make_unique<xml>(*this);
    return xml_->parse(bytes, false);
  }
  kind_ = kind::text;
  return text_lines(bytes, false);
}

bool sitemap_reader::text_lines(std::string_view bytes, bool last) {
  while (!bytes.empty() && !stopped_) {
    auto nl = bytes.find('\n');
    std::string_view part = bytes.substr(0, nl);
    if (!overlong_line_) {
      if (pending_.size() + part.size() > max_loc) {
        overlong_line_ = true;
        pending_.clear();
      } else {
        pending_.append(part);
      }
    }
    if (nl == std::string_view::npos) break;
    if (!overlong_line_) add(trim(pending_));
    pending_.clear();
    overlong_line_ = false;
    bytes.remove_prefix(nl + 1);
  }
  if (last && !overlong_line_) {
    add(trim(pending_));
    pending_.clear();
  }
  return true;
}

bool sitemap_reader::finish() {
  if (!error_.empty()) return false;
  if (!started_ && !pending_.empty()) {  // a file of one byte
    started_ = true;
    std::string first = std::exchange(pending_, {});
    take_content(first);
  }
  if (!bom_checked_ && !head_.empty()) {  // the file ended inside what could have been a byte order mark
    bom_checked_ = true;
    std::string head = std::exchange(head_, {});
    decide(head);
  }
  if (stopped_) return true;  // cut by a limit: what was read stands
  if (inflate_ && !inflate_->ended) {
    error_ = "the gzip stream ends early, at compressed byte " + std::to_string(inflate_->in_offset);
    return false;
  }
  if (xml_) return xml_->parse({}, true);
  if (kind_ == kind::text) return text_lines({}, true);
  error_ = "the file is empty";
  return false;
}

}  // namespace crawl::crawler
