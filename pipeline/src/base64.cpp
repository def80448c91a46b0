#include "crawl/pipeline/base64.hpp"

// Boost.Beast's base64 (header-only in Boost 1.81).
#include <boost/beast/core/detail/base64.hpp>

namespace crawl::pipeline {

namespace b64 = boost::beast::detail::base64;

std::string to_base64(std::string_view bytes) {
  std::string out(b64::encoded_size(bytes.size()), '\0');
  out.resize(b64::encode(out.data(), bytes.data(), bytes.size()));
  return out;
}

namespace {

// Checked before decoding: Beast's decoder writes past the buffer
// decoded_size() asks for when the text is not whole base64 (found by
// partial_fuzz), so only whole groups of four base64 characters, with at
// most two '=' at the end, reach it.
bool whole_base64(const std::string& text) {
  if (text.size() % 4 != 0) return false;
  std::size_t padding = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (c == '=' && i + 2 >= text.size()) ++padding;
    else if (!letter || padding > 0) return false;
  }
  return padding <= 2;
}

}  // namespace

std::optional<std::string> from_base64(const std::string& text) {
  if (!whole_base64(text)) return std::nullopt;
  std::string out(b64::decoded_size(text.size()), '\0');
  auto written = b64::decode(out.data(), text.data(), text.size()).first;
  out.resize(written);
  if (to_base64(out) != text) return std::nullopt;  // strict: only the text our encoder writes
  return out;
}

}  // namespace crawl::pipeline
