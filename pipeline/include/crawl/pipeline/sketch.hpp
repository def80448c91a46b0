#pragma once
// Quantiles of a stream of numbers in bounded memory, with a bounded
// relative error, mergeable: the one sketch for every percentile crawl
// reports or merges (latencies now; numeric log fields later).
//
// Values are put in logarithmic buckets (the DDSketch scheme: bucket i
// holds (g^(i-1), g^i] with g = (1+a)/(1-a)); a quantile is answered with
// its bucket's centre, which is within a = 0.5% of every value in the
// bucket. Zero has a count of its own; negative values a mirrored store.
// Each store keeps at most max_buckets buckets (32 KiB): past that, the
// buckets of the smallest magnitudes are folded together, so only quantiles
// among the smallest values lose accuracy. Merging adds bucket counts:
// merged sketches answer exactly as one sketch of all the values would.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crawl::pipeline {

class quantile_sketch {
 public:
  static constexpr double relative_accuracy = 0.005;
  static constexpr std::size_t max_buckets = 4096;

  void add(double value, std::uint64_t n = 1);
  void merge(const quantile_sketch& other);
  // The q-quantile (0 <= q <= 1) by nearest rank, within relative_accuracy of a value of
  // that rank; exact at q = 0 and q = 1. 0 when empty.
  double quantile(double q) const;
  std::uint64_t count() const { return count_; }
  double min() const { return min_; }
  double max() const { return max_; }

  // A compact, versioned binary form (bucket counts as varints, so a sketch
  // of few distinct magnitudes is a few bytes), and back: nothing when the
  // bytes are malformed or inconsistent (counts that do not add up).
  std::string serialize() const;
  static std::optional<quantile_sketch> deserialize(std::string_view bytes);

 private:
  // Counts of consecutive bucket indexes from `first`.
  struct store {
    int first = 0;
    std::vector<std::uint64_t> counts;
    void add(int index, std::uint64_t n);
    std::uint64_t total() const;
  };
  static int index_of(double magnitude);
  static double value_of(int index);

  store positive_, negative_;
  std::uint64_t zeros_ = 0;
  std::uint64_t count_ = 0;
  double min_ = 0, max_ = 0;
};

}  // namespace crawl::pipeline
