#include "crawl/crawler/shard.hpp"

#include <xxhash.h>

#include <string>

namespace crawl::crawler {

std::uint64_t stable_hash(std::string_view bytes) { return XXH64(bytes.data(), bytes.size(), 0); }

std::uint32_t shard_of_key(std::string_view key, std::uint32_t count) {
  if (count <= 1) return 0;
  return static_cast<std::uint32_t>(stable_hash(key) % count);
}

std::uint32_t shard_of_host(std::string_view host, std::uint32_t count) {
  if (count <= 1) return 0;
  std::string lower(host);  // host names are short: the copy stays in the string's own buffer or one allocation
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return shard_of_key(lower, count);
}

}  // namespace crawl::crawler
