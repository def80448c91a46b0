#include "crawl/pipeline/distinct.hpp"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace crawl::pipeline {

namespace {
constexpr char magic[4] = {'c', 'd', 'c', '1'};  // crawl distinct counter, version 1
}

std::uint64_t distinct_counter::hash(std::string_view value) { return XXH64(value.data(), value.size(), 0); }

void distinct_counter::put(std::uint64_t h) {
  std::size_t index = h >> (64 - precision);
  // The rank: the position of the first 1 bit in the rest (1-based).
  std::uint64_t rest = (h << precision) | (std::uint64_t{1} << (precision - 1));
  auto rank = static_cast<std::uint8_t>(std::countl_zero(rest) + 1);
  registers_[index] = std::max(registers_[index], rank);
}

void distinct_counter::to_registers() {
  registers_.assign(registers, 0);
  for (std::uint64_t h : exact_) put(h);
  boost::unordered_flat_set<std::uint64_t>().swap(exact_);
}

void distinct_counter::add_hash(std::uint64_t h) {
  if (!registers_.empty()) return put(h);
  exact_.insert(h);
  if (exact_.size() > exact_limit) to_registers();
}

void distinct_counter::merge(const distinct_counter& other) {
  if (other.registers_.empty()) {
    for (std::uint64_t h : other.exact_) add_hash(h);
    return;
  }
  if (registers_.empty()) to_registers();
  for (std::size_t i = 0; i < registers; ++i) registers_[i] = std::max(registers_[i], other.registers_[i]);
}

std::uint64_t distinct_counter::count() const {
  if (registers_.empty()) return exact_.size();
  const double m = static_cast<double>(registers);
  double sum = 0;
  std::size_t empty = 0;
  for (std::uint8_t r : registers_) {
    sum += std::ldexp(1.0, -static_cast<int>(r));
    empty += r == 0;
  }
  double alpha = 0.7213 / (1 + 1.079 / m);
  double estimate = alpha * m * m / sum;
  // Small range: while registers are empty, linear counting is the better estimate.
  if (estimate <= 2.5 * m && empty > 0) estimate = m * std::log(m / static_cast<double>(empty));
  return static_cast<std::uint64_t>(std::llround(estimate));
}

// magic, a kind byte (0: exact, then 8-byte little-endian count and hashes;
// 1: the registers).
std::string distinct_counter::serialize() const {
  std::string out(magic, sizeof magic);
  auto put64 = [&out](std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
  };
  if (registers_.empty()) {
    out.push_back(0);
    std::vector<std::uint64_t> sorted(exact_.begin(), exact_.end());
    std::sort(sorted.begin(), sorted.end());  // the same counter, the same bytes
    put64(sorted.size());
    for (std::uint64_t h : sorted) put64(h);
  } else {
    out.push_back(1);
    out.append(reinterpret_cast<const char*>(registers_.data()), registers_.size());
  }
  return out;
}

std::optional<distinct_counter> distinct_counter::deserialize(std::string_view bytes) {
  if (bytes.size() < sizeof magic + 1 || std::memcmp(bytes.data(), magic, sizeof magic) != 0) return std::nullopt;
  char kind = bytes[sizeof magic];
  bytes.remove_prefix(sizeof magic + 1);
  auto get64 = [&bytes](std::uint64_t& v) {
    if (bytes.size() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t{static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)])} << (8 * i);
    bytes.remove_prefix(8);
    return true;
  };
  distinct_counter c;
  if (kind == 0) {
    std::uint64_t n;
    if (!get64(n) || n > exact_limit || bytes.size() != n * 8) return std::nullopt;
    for (std::uint64_t i = 0, h; i < n && get64(h); ++i) c.exact_.insert(h);
    return c;
  }
  if (kind != 1 || bytes.size() != registers) return std::nullopt;
  c.registers_.assign(bytes.begin(), bytes.end());
  for (std::uint8_t r : c.registers_)
    if (r > 64 - precision + 1) return std::nullopt;
  return c;
}

}  // namespace crawl::pipeline
