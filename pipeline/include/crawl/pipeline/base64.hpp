#pragma once
// Binary (sketches, distinct registers) carried in JSON as base64 text.
#include <optional>
#include <string>
#include <string_view>

namespace crawl::pipeline {

std::string to_base64(std::string_view bytes);
// Strict: only text to_base64 writes (whole groups of four, canonical
// padding); nothing otherwise.
std::optional<std::string> from_base64(const std::string& text);

}  // namespace crawl::pipeline
