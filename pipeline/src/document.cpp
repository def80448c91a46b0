#include "crawl/pipeline/document.hpp"

#include <cstring>

namespace crawl::pipeline {
namespace {

std::string_view media_type(std::string_view content_type) {
  auto semi = content_type.find(';');
  std::string_view type = content_type.substr(0, semi);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return type;
}

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != prefix[i]) return false;
  }
  return true;
}

bool iends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && iequals_prefix(s.substr(s.size() - suffix.size()), suffix);
}

bool looks_binary(std::string_view bytes) {
  return std::memchr(bytes.data(), '\0', std::min<std::size_t>(bytes.size(), 1024)) != nullptr;
}

bool looks_html(std::string_view bytes) {
  std::size_t i = bytes.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  if (i == std::string_view::npos) return false;
  std::string_view head = bytes.substr(i, 64);
  return iequals_prefix(head, "<!doctype html") || iequals_prefix(head, "<html") ||
         iequals_prefix(head, "<head") || iequals_prefix(head, "<body") || iequals_prefix(head, "<!--");
}

}  // namespace

content_kind classify_content_type(std::string_view content_type) {
  std::string_view type = media_type(content_type);
  if (type.empty()) return content_kind::unknown;
  std::string lower(type);
  for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  if (lower == "text/html" || lower == "application/xhtml+xml") return content_kind::html;
  if (iequals_prefix(lower, "text/") || lower == "application/json" || lower == "application/xml" ||
      iends_with(lower, "+json") || iends_with(lower, "+xml") || lower == "application/javascript" ||
      lower == "application/x-ndjson")
    return content_kind::text;
  return content_kind::other;
}

document::document(content_kind kind, std::string charset, std::shared_ptr<const token_rules> rules)
    : kind_(kind), charset_(std::move(charset)), tokenizer_(std::move(rules)) {}

void document::start(std::string_view first_bytes) {
  started_ = true;
  if (kind_ == content_kind::unknown) {
    kind_ = looks_binary(first_bytes) ? content_kind::other
            : looks_html(first_bytes) ? content_kind::html
                                      : content_kind::text;
  }
  if (charset_.empty() && kind_ == content_kind::html) charset_ = sniff_meta_charset(first_bytes);
  decoder_ = charset_decoder::open(charset_);
  if (!decoder_) decoder_ = charset_decoder::open("utf-8");  // unknown label: treat as UTF-8
}

// Bytes looked at to sniff a type and a <meta> charset.
constexpr std::size_t sniff_bytes = 1024;

void document::feed(std::string_view bytes) {
  if (bytes.empty()) return;
  if (started_) {
    process(bytes);
    return;
  }
  if (head_.empty() && bytes.size() >= sniff_bytes) {
    start(bytes);
    process(bytes);
    return;
  }
  head_.append(bytes);
  if (head_.size() < sniff_bytes) return;
  start(head_);
  process(head_);
  head_ = std::string();
}

void document::process(std::string_view bytes) {
  if (kind_ == content_kind::other) return;
  if (kind_ == content_kind::html) {
    if (decoder_->passes_through()) {
      html_.feed(bytes, text_);
    } else {
      decoded_.clear();
      decoder_->decode(bytes, decoded_);
      html_.feed(decoded_, text_);
    }
  } else {
    decoder_->decode(bytes, text_);
  }
  tokenize(false);
}

void document::finish() {
  if (!started_ && !head_.empty()) {
    start(head_);
    process(head_);
    head_ = std::string();
  }
  if (started_ && kind_ != content_kind::other) {
    if (kind_ == content_kind::html) {
      decoded_.clear();
      decoder_->finish(decoded_);
      html_.feed(decoded_, text_);
      html_.finish(text_);
    } else {
      decoder_->finish(text_);
    }
  }
  tokenize(true);
}

void document::tokenize(bool final) {
  std::size_t n = final ? text_.size() : utf8_complete_prefix(text_);
  tokenizer_.feed(std::string_view(text_).substr(0, n), tally_);
  text_.erase(0, n);
  if (final) {
    tokenizer_.finish(tally_);
    text_.clear();
  }
}

}  // namespace crawl::pipeline
