#include "crawl/pipeline/count_output.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <random>

using namespace crawl::pipeline;

namespace {
word_counts sample() {
  word_counts c;
  c.add("pear", 2);
  c.add("apple", 5);
  c.add("fig", 2);
  c.add("say \"hi\", ok", 1);
  return c;
}
std::string written(count_format f) {
  std::string out;
  write_counts(f, ranked(sample()), [&](std::string_view piece) { out.append(piece); });
  return out;
}
}  // namespace

TEST_CASE("word counts add and merge exactly", "[counts]") {
  word_counts a, b;
  a.add("x");
  a.add("x");
  b.add("x", 3);
  b.add("y");
  a.merge(b);
  CHECK(a.get("x") == 5);
  CHECK(a.get("y") == 1);
  CHECK(a.total() == 6);
  CHECK(a.distinct() == 2);
}

TEST_CASE("ranking is by count descending, then word ascending", "[counts]") {
  auto counts = sample();
  auto rows = ranked(counts);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].word == "apple");
  CHECK(rows[1].word == "fig");
  CHECK(rows[2].word == "pear");
  auto first = top(counts, 2);
  REQUIRE(first.size() == 2);
  CHECK(first[1].word == "fig");
  CHECK(top(counts, 10).size() == 4);
}

TEST_CASE("TSV has no header, CSV has one and quotes, JSON is an object", "[counts]") {
  CHECK(written(count_format::tsv) == "apple\t5\nfig\t2\npear\t2\nsay \"hi\", ok\t1\n");
  CHECK(written(count_format::csv) == "word,count\napple,5\nfig,2\npear,2\n\"say \"\"hi\"\", ok\",1\n");
  CHECK(written(count_format::json) ==
        "{\n  \"apple\": 5,\n  \"fig\": 2,\n  \"pear\": 2,\n  \"say \\\"hi\\\", ok\": 1\n}\n");
}

TEST_CASE("a word with a tab, a newline or a backslash keeps its TSV row, and reads back", "[counts]") {
  word_counts counts;
  counts.add("a\tb", 2);
  counts.add("line\nbreak");
  counts.add("back\\slash");
  std::string tsv;
  write_counts(count_format::tsv, ranked(counts), [&](std::string_view piece) { tsv.append(piece); });
  CHECK(tsv == "a\\tb\t2\nback\\\\slash\t1\nline\\nbreak\t1\n");
  word_counts back;
  REQUIRE(parse_counts(serialize_counts(counts), back));
  CHECK(back.get("a\tb") == 2);
  CHECK(back.get("line\nbreak") == 1);
  CHECK(back.get("back\\slash") == 1);
}

TEST_CASE("JSON strings escape control characters and invalid UTF-8", "[counts]") {
  std::string out;
  append_json_string(out, "a\tb\x01\xff\xc3\xa9");
  CHECK(out == "\"a\\tb\\u0001\xef\xbf\xbd\xc3\xa9\"");  // U+FFFD for the stray byte
}

TEST_CASE("the top table aligns columns and shows shares", "[counts]") {
  auto counts = sample();
  auto table = format_top_table(top(counts, 2), 10);
  CHECK(table == " rank  word   count   share\n"
                 "    1  apple      5  50.00%\n"
                 "    2  fig        2  20.00%\n");
}

TEST_CASE("word counts agree with a map over many words as the table grows", "[counts]") {
  std::mt19937 rng(5);
  word_counts counts, other;
  std::map<std::string, std::uint64_t> expected;
  for (int i = 0; i < 200000; ++i) {
    std::size_t len = 1 + rng() % (i % 100 == 0 ? 300 : 12);
    std::string w;
    for (std::size_t k = 0; k < len; ++k) w.push_back(static_cast<char>('a' + rng() % 4));
    (i % 2 ? counts : other).add(w, 1 + i % 3);
    expected[w] += 1 + i % 3;
  }
  counts.merge(other);
  std::map<std::string, std::uint64_t> got;
  counts.for_each([&](word_count wc) { got[std::string(wc.word)] += wc.count; });
  CHECK(got == expected);
  CHECK(counts.distinct() == expected.size());
  for (const auto& [w, n] : expected) REQUIRE(counts.get(w) == n);
  CHECK(counts.get("not-there") == 0);
  CHECK(word_counts().get("x") == 0);
  counts.add("", 2);  // the empty word is a key like any other
  CHECK(counts.get("") == 2);
  CHECK(counts.distinct() == expected.size() + 1);
}

TEST_CASE("a tally counts in its dictionary only on commit", "[counts]") {
  word_counts totals;
  totals.add("kept", 2);
  word_tally page(totals);
  page.add("kept");
  page.add("new");
  page.add("new");
  CHECK(page.total() == 3);
  CHECK(page.counts().get("new") == 2);
  CHECK(totals.get("new") == 0);  // interned, not counted
  CHECK(totals.distinct() == 1);
  CHECK(totals.total() == 2);
  word_tally failed(totals);
  failed.add("never");  // a page that is discarded: no commit
  page.commit();
  CHECK(totals.get("kept") == 3);
  CHECK(totals.get("new") == 2);
  CHECK(totals.get("never") == 0);
  CHECK(totals.distinct() == 2);
  CHECK(totals.total() == 5);
  std::map<std::string, std::uint64_t> listed;
  totals.for_each([&](word_count wc) { listed[std::string(wc.word)] = wc.count; });
  CHECK(listed == std::map<std::string, std::uint64_t>{{"kept", 3}, {"new", 2}});
  page.commit();  // nothing held any more
  CHECK(totals.total() == 5);
}

TEST_CASE("the table lines up Thai words with their combining marks and wide CJK words", "[output]") {
  CHECK(crawl::pipeline::display_width("ที่") == 1);     // a consonant and two marks above it
  CHECK(crawl::pipeline::display_width("学习") == 4);
  CHECK(crawl::pipeline::display_width("abc") == 3);
  CHECK(crawl::pipeline::display_width("a\xff") == 2);  // an invalid byte takes a column
}

// Found under UBSan by the merge's property test: an empty word first (a
// TSV line "\t5" read by crawl merge) copied zero bytes to a null arena.
TEST_CASE("word counts: the empty word counts like any other, first or later", "[counts]") {
  crawl::pipeline::word_counts counts;
  counts.add("", 2);
  counts.add("a", 1);
  counts.add("", 3);
  CHECK(counts.get("") == 5);
  CHECK(counts.get("a") == 1);
  CHECK(counts.distinct() == 2);
}
