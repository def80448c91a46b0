#pragma once
// How many distinct values a stream has (`crawl tail --distinct FIELD`), in
// bounded memory and mergeable across files, runs and machines.
//
// Exact up to `exact_limit` values (their 64-bit hashes in a set); past
// that, a HyperLogLog of 2^14 one-byte registers (16 KiB, about 0.8%
// standard error) with the small-range correction (linear counting while
// registers are empty). Values are hashed with XXH64 (libxxhash), which is
// the same on every machine and build, so serialized counters merge. No
// Debian package has a mergeable HyperLogLog; this one is small and tested
// against exact counts.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/unordered/unordered_flat_set.hpp>

namespace crawl::pipeline {

class distinct_counter {
 public:
  static constexpr std::size_t exact_limit = 10'000;
  static constexpr int precision = 14;
  static constexpr std::size_t registers = std::size_t{1} << precision;

  void add(std::string_view value) { add_hash(hash(value)); }
  void add_hash(std::uint64_t h);
  void merge(const distinct_counter& other);
  // The count: exact while exact() holds, else the estimate.
  std::uint64_t count() const;
  bool exact() const { return registers_.empty(); }

  // A compact, versioned binary form, and back (nothing on malformed input).
  std::string serialize() const;
  static std::optional<distinct_counter> deserialize(std::string_view bytes);

  static std::uint64_t hash(std::string_view value);

 private:
  void to_registers();
  void put(std::uint64_t h);

  boost::unordered_flat_set<std::uint64_t> exact_;
  std::vector<std::uint8_t> registers_;  // empty while exact
};

}  // namespace crawl::pipeline
