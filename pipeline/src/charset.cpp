#include "crawl/pipeline/charset.hpp"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <utility>

namespace crawl::pipeline {
namespace {

std::string lower_trimmed(std::string_view s) {
  auto is_junk = [](char c) { return c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_junk(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_junk(s.back())) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return out;
}

// Finds `key=` case-insensitively and returns the value after it, up to a
// separator.
std::string value_after(std::string_view text, std::string_view key) {
  std::string lower = lower_trimmed(text);
  std::size_t at = lower.find(key);
  while (at != std::string::npos) {
    std::size_t p = at + key.size();
    while (p < lower.size() && lower[p] == ' ') ++p;
    if (p < lower.size() && lower[p] == '=') {
      ++p;
      while (p < lower.size() && (lower[p] == ' ' || lower[p] == '"' || lower[p] == '\'')) ++p;
      std::size_t end = p;
      while (end < lower.size() && lower[end] != ';' && lower[end] != '"' && lower[end] != '\'' &&
             lower[end] != ' ' && lower[end] != '>' && lower[end] != '/')
        ++end;
      return lower.substr(p, end - p);
    }
    at = lower.find(key, at + 1);
  }
  return {};
}

// WHATWG labels mapped to the iconv name of the same (or a superset) charset.
std::string iconv_name(const std::string& label) {
  static const std::pair<std::string_view, std::string_view> aliases[] = {
      {"latin1", "WINDOWS-1252"},    {"iso-8859-1", "WINDOWS-1252"}, {"iso8859-1", "WINDOWS-1252"},
      {"us-ascii", "WINDOWS-1252"},  {"ascii", "WINDOWS-1252"},      {"l1", "WINDOWS-1252"},
      {"cp1252", "WINDOWS-1252"},    {"gb2312", "GB18030"},          {"gbk", "GB18030"},
      {"x-gbk", "GB18030"},          {"gb18030", "GB18030"},         {"shift_jis", "CP932"},
      {"shift-jis", "CP932"},        {"sjis", "CP932"},              {"x-sjis", "CP932"},
      {"windows-31j", "CP932"},      {"ms_kanji", "CP932"},          {"euc-kr", "CP949"},
      {"ks_c_5601-1987", "CP949"},   {"big5", "BIG5-HKSCS"},         {"x-mac-roman", "MACINTOSH"},
      {"iso-8859-9", "WINDOWS-1254"}, {"latin5", "WINDOWS-1254"},    {"tis-620", "WINDOWS-874"},
      {"iso-8859-11", "WINDOWS-874"}};
  for (auto [from, to] : aliases)
    if (label == from) return std::string(to);
  return label;
}

bool is_utf8_label(const std::string& label) {
  return label.empty() || label == "utf-8" || label == "utf8" || label == "unicode-1-1-utf-8";
}

}  // namespace

std::string charset_from_content_type(std::string_view content_type) {
  return value_after(content_type, "charset");
}

std::string sniff_meta_charset(std::string_view head) {
  head = head.substr(0, 1024);
  std::string lower = lower_trimmed(head);
  for (std::size_t at = lower.find("<meta"); at != std::string::npos; at = lower.find("<meta", at + 5)) {
    std::size_t end = lower.find('>', at);
    std::string_view tag = std::string_view(lower).substr(at, end == std::string::npos ? std::string::npos : end - at);
    std::string found = value_after(tag, "charset");
    if (!found.empty()) return found;
  }
  return {};
}

std::optional<charset_decoder> charset_decoder::open(std::string_view label) {
  std::string name = lower_trimmed(label);
  if (is_utf8_label(name)) return charset_decoder(nullptr, nullptr);
  iconv_t cd = iconv_open("UTF-8", iconv_name(name).c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  iconv_t probe = iconv_open("UTF-8", iconv_name(name).c_str());
  if (probe == reinterpret_cast<iconv_t>(-1)) {
    iconv_close(cd);
    return std::nullopt;
  }
  return charset_decoder(cd, probe);
}

charset_decoder::~charset_decoder() {
  if (handle_) iconv_close(static_cast<iconv_t>(handle_));
  if (probe_) iconv_close(static_cast<iconv_t>(probe_));
}

charset_decoder::charset_decoder(charset_decoder&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), probe_(std::exchange(other.probe_, nullptr)),
      tail_(std::move(other.tail_)) {}

charset_decoder& charset_decoder::operator=(charset_decoder&& other) noexcept {
  std::swap(handle_, other.handle_);
  std::swap(probe_, other.probe_);
  std::swap(tail_, other.tail_);
  return *this;
}

void charset_decoder::decode(std::string_view in, std::string& out) {
  if (!handle_) {
    out.append(in);
    return;
  }
  std::string joined;
  if (!tail_.empty()) {
    joined = std::move(tail_);
    joined.append(in);
    tail_.clear();
    in = joined;
  }
  auto cd = static_cast<iconv_t>(handle_);
  char* src = const_cast<char*>(in.data());
  std::size_t src_left = in.size();
  while (src_left > 0) {
    std::size_t old = out.size();
    out.resize(old + src_left * 4 + 16);
    char* dst = out.data() + old;
    std::size_t dst_left = out.size() - old;
    const char* start = src;
    std::size_t rc = iconv(cd, &src, &src_left, &dst, &dst_left);
    int error = rc == static_cast<std::size_t>(-1) ? errno : 0;
    out.resize(out.size() - dst_left);
    if (error == EILSEQ) {
      out.push_back(' ');
      // POSIX has iconv stop at an invalid sequence, which is skipped a
      // byte at a time here. glibc's CP949 (UHC) instead takes an unmapped
      // pair and then says EILSEQ: with the pair at the end of the input,
      // skipping a byte wrapped the count and iconv read past the input
      // (found by charset_fuzz). When the call took input, converting that
      // input again alone tells which happened.
      if (src != start && took_invalid(start, static_cast<std::size_t>(src - start))) continue;
      if (src_left == 0) break;
      ++src;
      --src_left;
    } else if (error == EINVAL) {  // cut sequence: wait for the rest
      tail_.assign(src, src_left);
      break;
    } else if (error == 0) {
      break;
    }  // E2BIG: loop and grow
  }
}

// Whether `bytes`, converted alone from the initial state, hold an invalid
// sequence: on a second conversion descriptor, so the first keeps its state.
bool charset_decoder::took_invalid(const char* bytes, std::size_t size) {
  auto cd = static_cast<iconv_t>(probe_);
  iconv(cd, nullptr, nullptr, nullptr, nullptr);
  std::string out(size * 4 + 16, '\0');
  char* src = const_cast<char*>(bytes);
  char* dst = out.data();
  std::size_t dst_left = out.size();
  return iconv(cd, &src, &size, &dst, &dst_left) == static_cast<std::size_t>(-1) && errno == EILSEQ;
}

void charset_decoder::finish(std::string& out) {
  if (!tail_.empty()) out.push_back(' ');
  tail_.clear();
  if (handle_) iconv(static_cast<iconv_t>(handle_), nullptr, nullptr, nullptr, nullptr);
}

}  // namespace crawl::pipeline
