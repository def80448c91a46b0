#include "crawl/pipeline/sketch.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace crawl::pipeline {
namespace {

constexpr double gamma = (1 + quantile_sketch::relative_accuracy) / (1 - quantile_sketch::relative_accuracy);
const double log_gamma = std::log(gamma);
// Magnitudes below this count as zero (keeps indexes in int range).
constexpr double smallest = 1e-300;

}  // namespace

int quantile_sketch::index_of(double magnitude) { return static_cast<int>(std::ceil(std::log(magnitude) / log_gamma)); }

double quantile_sketch::value_of(int index) { return 2.0 * std::pow(gamma, index) / (gamma + 1.0); }

void quantile_sketch::store::add(int index, std::uint64_t n) {
  if (counts.empty()) {
    first = index;
    counts.assign(1, 0);
  }
  if (index < first) {
    // Grow downwards, or fold the smallest magnitudes into the lowest bucket kept.
    std::size_t grow = static_cast<std::size_t>(first - index);
    if (counts.size() + grow > max_buckets) {
      counts.front() += n;
      return;
    }
    counts.insert(counts.begin(), grow, 0);
    first = index;
  } else if (static_cast<std::size_t>(index - first) >= counts.size()) {
    std::size_t size = static_cast<std::size_t>(index - first) + 1;
    if (size > max_buckets) {
      // Keep the largest magnitudes: fold the bottom buckets upwards.
      std::size_t drop = size - max_buckets;
      std::uint64_t folded = 0;
      for (std::size_t i = 0; i < drop && i < counts.size(); ++i) folded += counts[i];
      counts.erase(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(std::min(drop, counts.size())));
      first += static_cast<int>(drop);
      if (counts.empty()) counts.assign(1, 0);
      counts.front() += folded;
      size = max_buckets;
    }
    counts.resize(std::max(counts.size(), static_cast<std::size_t>(index - first) + 1), 0);
  }
  counts[static_cast<std::size_t>(index - first)] += n;
}

std::uint64_t quantile_sketch::store::total() const {
  std::uint64_t t = 0;
  for (auto c : counts) t += c;
  return t;
}

void quantile_sketch::add(double value, std::uint64_t n) {
  if (n == 0 || std::isnan(value)) return;
  if (count_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  count_ += n;
  double magnitude = std::fabs(value);
  if (magnitude < smallest) zeros_ += n;
  else if (value > 0) positive_.add(index_of(magnitude), n);
  else negative_.add(index_of(magnitude), n);
}

void quantile_sketch::merge(const quantile_sketch& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  for (std::size_t i = 0; i < other.positive_.counts.size(); ++i)
    if (other.positive_.counts[i]) positive_.add(other.positive_.first + static_cast<int>(i), other.positive_.counts[i]);
  for (std::size_t i = 0; i < other.negative_.counts.size(); ++i)
    if (other.negative_.counts[i]) negative_.add(other.negative_.first + static_cast<int>(i), other.negative_.counts[i]);
  zeros_ += other.zeros_;
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

double quantile_sketch::quantile(double q) const {
  if (count_ == 0) return 0;
  if (q <= 0) return min_;
  if (q >= 1) return max_;
  // The nearest rank: the smallest value with at least q * count values at
  // or below it (p99 of two values is the larger), counting from 0 here.
  // The small allowance keeps 0.99 * 100, which is 99.00000000000001 in
  // binary, at rank 99.
  double wanted = std::ceil(q * static_cast<double>(count_) - 1e-9);
  auto rank = static_cast<std::uint64_t>(std::max(1.0, wanted)) - 1;
  std::uint64_t seen = 0;
  auto clamp = [&](double v) { return std::clamp(v, min_, max_); };
  for (std::size_t i = negative_.counts.size(); i-- > 0;) {  // most negative first
    seen += negative_.counts[i];
    if (seen > rank) return clamp(-value_of(negative_.first + static_cast<int>(i)));
  }
  seen += zeros_;
  if (seen > rank) return clamp(0);  // "zero" holds magnitudes below 1e-300 too: 1e-310 is the min and p50 of {1e-310}
  for (std::size_t i = 0; i < positive_.counts.size(); ++i) {
    seen += positive_.counts[i];
    if (seen > rank) return clamp(value_of(positive_.first + static_cast<int>(i)));
  }
  return max_;
}

namespace {

constexpr char sketch_magic[4] = {'c', 'q', 's', '1'};  // crawl quantile sketch, version 1

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool get_varint(std::string_view& in, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    auto byte = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    v |= std::uint64_t{byte & 0x7Fu} << shift;
    if (!(byte & 0x80)) return true;
  }
  return false;
}

void put_double(std::string& out, double d) {
  std::uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(bits >> (8 * i)));
}

bool get_double(std::string_view& in, double& d) {
  if (in.size() < 8) return false;
  std::uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits |= std::uint64_t{static_cast<unsigned char>(in[static_cast<std::size_t>(i)])} << (8 * i);
  in.remove_prefix(8);
  std::memcpy(&d, &bits, sizeof d);
  return !std::isnan(d);
}

// An int as a varint of its zigzag form.
std::uint64_t zigzag(int v) { return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v < 0 ? -1 : 0); }
int unzigzag(std::uint64_t v) { return static_cast<int>(static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1)); }

}  // namespace

std::string quantile_sketch::serialize() const {
  std::string out(sketch_magic, sizeof sketch_magic);
  put_varint(out, count_);
  put_varint(out, zeros_);
  put_double(out, min_);
  put_double(out, max_);
  for (const store* s : {&positive_, &negative_}) {
    put_varint(out, zigzag(s->first));
    put_varint(out, s->counts.size());
    for (std::uint64_t c : s->counts) put_varint(out, c);
  }
  return out;
}

std::optional<quantile_sketch> quantile_sketch::deserialize(std::string_view in) {
  if (in.size() < sizeof sketch_magic || in.substr(0, sizeof sketch_magic) != std::string_view(sketch_magic, 4))
    return std::nullopt;
  in.remove_prefix(sizeof sketch_magic);
  quantile_sketch k;
  if (!get_varint(in, k.count_) || !get_varint(in, k.zeros_) || !get_double(in, k.min_) || !get_double(in, k.max_))
    return std::nullopt;
  std::uint64_t total = k.zeros_;
  for (store* s : {&k.positive_, &k.negative_}) {
    std::uint64_t first, size;
    if (!get_varint(in, first) || !get_varint(in, size) || size > max_buckets) return std::nullopt;
    if (first > 2 * static_cast<std::uint64_t>(1 << 30)) return std::nullopt;  // far beyond any index of a double
    s->first = unzigzag(first);
    s->counts.resize(size);
    for (auto& c : s->counts) {
      if (!get_varint(in, c) || c > k.count_) return std::nullopt;
      total += c;
    }
  }
  if (!in.empty() || total != k.count_ || (k.count_ > 0 && k.min_ > k.max_)) return std::nullopt;
  return k;
}

}  // namespace crawl::pipeline
