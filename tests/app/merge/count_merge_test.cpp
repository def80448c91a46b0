// app/merge/count_merge: sums of parts equal the whole, in any order, in
// memory or sorted on disk in pieces.
#include "merge/count_merge.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

using crawl::app::count_merge;

namespace {

using counts = std::map<std::string, std::uint64_t>;

// Ranked rows as the merge hands them out.
std::vector<std::pair<std::string, std::uint64_t>> ranked(const count_merge& m) {
  std::vector<std::pair<std::string, std::uint64_t>> rows;
  m.for_each_ranked([&](std::string_view w, std::uint64_t n) {
    rows.emplace_back(std::string(w), n);
    return true;
  });
  return rows;
}

// The expected ranking of `whole`: count descending, then word.
std::vector<std::pair<std::string, std::uint64_t>> ranked(const counts& whole) {
  std::vector<std::pair<std::string, std::uint64_t>> rows(whole.begin(), whole.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  return rows;
}

std::string temp() { return std::filesystem::temp_directory_path().string(); }

}  // namespace

TEST_CASE("count merge: random partitions of random counts sum to the whole, in any order, spilled or not",
          "[count_merge]") {
  std::mt19937_64 random(20261130);
  for (int round = 0; round < 6; ++round) {
    // Words with awkward bytes too: a tab, a newline, bytes above 0x7f, the empty word.
    counts whole;
    std::vector<std::vector<std::pair<std::string, std::uint64_t>>> parts(1 + random() % 7);
    for (int i = 0; i < 20000; ++i) {
      std::string word = "w" + std::to_string(random() % 5000);
      if (i % 997 == 0) word += "\t\n\xe4\xb8\xad";
      if (i == 1) word.clear();
      std::uint64_t n = 1 + random() % 1000;
      whole[word] += n;
      parts[random() % parts.size()].emplace_back(word, n);
    }
    auto expected = ranked(whole);
    for (std::size_t budget : {std::size_t(64) << 20, std::size_t(16) << 10}) {
      std::shuffle(parts.begin(), parts.end(), random);
      count_merge merge(budget, temp());
      std::string error;
      for (const auto& part : parts)
        for (const auto& [w, n] : part) REQUIRE(merge.add(w, n, error));
      REQUIRE(merge.finish(error));
      INFO("round " << round << ", budget " << budget << ", runs " << merge.runs_written());
      if (budget < (1 << 20)) CHECK(merge.runs_written() > 1);
      else CHECK(merge.runs_written() == 0);
      CHECK(ranked(merge) == expected);
      CHECK(ranked(merge) == expected);  // handed out again, the same
      std::uint64_t total = 0;
      for (const auto& [w, n] : whole) total += n;
      CHECK(merge.total() == total);
      CHECK(merge.distinct() == whole.size());
    }
  }
}

TEST_CASE("count merge: a sum past 2^64-1 is refused, naming the word", "[count_merge]") {
  for (std::size_t budget : {std::size_t(64) << 20, std::size_t(1)}) {
    count_merge merge(budget, temp());
    std::string error;
    REQUIRE(merge.add("big", UINT64_MAX - 1, error));
    bool added = merge.add("big", 5, error);
    if (added) added = merge.finish(error);  // spilled each time: found when the runs are summed
    CHECK_FALSE(added);
    CHECK(error == "the count of \"big\" passes 2^64-1");
  }
}

TEST_CASE("count merge: a temporary folder that cannot be used is named", "[count_merge]") {
  count_merge merge(1, "/nonexistent-crawl-dir");
  std::string error;
  bool ok = true;
  for (int i = 0; i < 10000 && ok; ++i) ok = merge.add("w" + std::to_string(i), 1, error);  // past the first look at its size
  ok = ok && merge.finish(error);
  CHECK_FALSE(ok);
  CHECK(error.find("/nonexistent-crawl-dir") != std::string::npos);
}
