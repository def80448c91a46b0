#pragma once
// Which shard of a fleet a host (or a file) belongs to: XXH64 (libxxhash,
// seed 0) of the lowercased host, modulo the shard count. The hash is the
// same on every machine and build (std::hash is not), so N processes started
// anywhere split a list the same way, and every URL of a host lands on one
// shard: robots.txt and per-host politeness stay in one place. Pure.
#include <cstdint>
#include <string_view>

namespace crawl::crawler {

struct shard {
  std::uint32_t index = 0;
  std::uint32_t count = 1;  // 1: every URL is this process's
  bool whole() const { return count <= 1; }
};

// XXH64 of the bytes, seed 0.
std::uint64_t stable_hash(std::string_view bytes);
// The shard (0..count-1) of a host name, compared without case.
std::uint32_t shard_of_host(std::string_view host, std::uint32_t count);
// The shard of a key taken as it is (a file's path).
std::uint32_t shard_of_key(std::string_view key, std::uint32_t count);
inline bool owns_host(const shard& s, std::string_view host) {
  return s.whole() || shard_of_host(host, s.count) == s.index;
}

}  // namespace crawl::crawler
