#pragma once
// Splits a fuzz input into pieces at points the input itself chooses, so a
// target can check that feeding in pieces gives what feeding whole gives.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace crawl::fuzz {

// The first byte picks the piece size (1..256); the rest is the data.
struct split_input {
  std::string_view data;
  std::size_t piece = 1;
};

inline split_input split(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return {};
  return {std::string_view(reinterpret_cast<const char*>(bytes) + 1, size - 1), static_cast<std::size_t>(bytes[0]) + 1};
}

inline std::vector<std::string_view> pieces(std::string_view data, std::size_t piece) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < data.size(); i += piece) out.push_back(data.substr(i, piece));
  return out;
}

}  // namespace crawl::fuzz
