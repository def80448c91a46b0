#include "crawl/pipeline/tokenizer.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <string>

using namespace crawl::pipeline;

namespace {

std::map<std::string, std::uint64_t> count(std::string_view text, tokenizer_options options = {},
                                           std::size_t piece = std::string::npos) {
  auto rules = std::make_shared<const token_rules>(options);
  REQUIRE(rules->error().empty());
  tokenizer t(rules);
  word_counts counts;
  std::string pending;  // cut only at code point boundaries, as the document does
  for (std::size_t i = 0; i < text.size(); i += piece) {
    pending.append(text.substr(i, piece));
    std::size_t n = utf8_complete_prefix(pending);
    t.feed(std::string_view(pending).substr(0, n), counts);
    pending.erase(0, n);
    if (piece == std::string::npos) break;
  }
  t.feed(pending, counts);
  t.finish(counts);
  std::map<std::string, std::uint64_t> out;
  counts.for_each([&](word_count wc) { out[std::string(wc.word)] = wc.count; });
  return out;
}

using counts_map = std::map<std::string, std::uint64_t>;

}  // namespace

TEST_CASE("ASCII words are lowercased and split at punctuation", "[tokenizer]") {
  CHECK(count("The cat, the HAT; the-end.") ==
        counts_map{{"the", 3}, {"cat", 1}, {"hat", 1}, {"end", 1}});
}

TEST_CASE("runs of digits are dropped unless keep_numbers, mixed runs are kept", "[tokenizer]") {
  CHECK(count("2024 h2o 42abc 7") == counts_map{{"h2o", 1}, {"42abc", 1}});
  CHECK(count("2024 h2o 7", tokenizer_options{true, ""}) == counts_map{{"2024", 1}, {"h2o", 1}, {"7", 1}});
}

TEST_CASE("accented letters and combining marks stay inside words", "[tokenizer]") {
  // "Crème" precomposed; "cafe" + U+0301 combining acute.
  CHECK(count("Cr\xc3\xa8me CAFE\xcc\x81 na\xc3\xafve") ==
        counts_map{{"cr\xc3\xa8me", 1}, {"cafe\xcc\x81", 1}, {"na\xc3\xafve", 1}});
}

TEST_CASE("non-ASCII uppercase is lowercased by simple case mapping", "[tokenizer]") {
  CHECK(count("\xc3\x89T\xc3\x89 \xce\xa3\xce\x9f\xce\xa6\xce\x99\xce\x91") ==  // ÉTÉ ΣΟΦΙΑ
        counts_map{{"\xc3\xa9t\xc3\xa9", 1}, {"\xcf\x83\xce\xbf\xcf\x86\xce\xb9\xce\xb1", 1}});
}

TEST_CASE("segment char: each Han, Hiragana and Katakana character is a word, as before ICU", "[tokenizer]") {
  // 東京へ カタ
  tokenizer_options chars;
  chars.segment = segmentation::character;
  CHECK(count("\xe6\x9d\xb1\xe4\xba\xac\xe3\x81\xb8 \xe3\x82\xab\xe3\x82\xbf", chars) ==
        counts_map{{"\xe6\x9d\xb1", 1}, {"\xe4\xba\xac", 1}, {"\xe3\x81\xb8", 1}, {"\xe3\x82\xab", 1}, {"\xe3\x82\xbf", 1}});
  // Thai stays one run, as before.
  CHECK(count("ภาษาไทย", chars) == counts_map{{"ภาษาไทย", 1}});
}

// The words ICU 72's dictionaries give (Debian 12's libicu72): the expected
// words below are what a reader of each language would cut, except where
// the dictionary differs, which is said.
TEST_CASE("ICU segmentation: Chinese, simplified and traditional", "[tokenizer][icu]") {
  // Simplified 图书馆 is not in ICU's dictionary as one word (图书 + 馆); traditional 圖書館 is.
  CHECK(count("我们在图书馆学习中文。") ==
        counts_map{{"我们", 1}, {"在", 1}, {"图书", 1}, {"馆", 1}, {"学习", 1}, {"中文", 1}});
  CHECK(count("我們在圖書館學習中文。") == counts_map{{"我們", 1}, {"在", 1}, {"圖書館", 1}, {"學習", 1}, {"中文", 1}});
}

TEST_CASE("ICU segmentation: Japanese kanji and kana mixed, and Thai", "[tokenizer][icu]") {
  CHECK(count("私は東京大学で日本語を勉強しています。") ==
        counts_map{{"私", 1}, {"は", 1}, {"東京", 1}, {"大学", 1}, {"で", 1}, {"日本語", 1}, {"を", 1},
                   {"勉強", 1}, {"し", 1}, {"てい", 1}, {"ます", 1}});
  CHECK(count("ภาษาไทยเป็นภาษาที่สวยงาม") ==
        counts_map{{"ภาษา", 2}, {"ไทย", 1}, {"เป็น", 1}, {"ที่", 1}, {"สวยงาม", 1}});
}

TEST_CASE("ICU segmentation: a mixed run splits where the script changes, Latin lowercased as always", "[tokenizer][icu]") {
  CHECK(count("HTTP服务器很快 2024年") ==
        counts_map{{"http", 1}, {"服务", 1}, {"器", 1}, {"很快", 1}, {"年", 1}});
  tokenizer_options numbers;
  numbers.keep_numbers = true;
  CHECK(count("2024年", numbers) == counts_map{{"2024", 1}, {"年", 1}});
  // Korean has spaces: Hangul keeps the plain rule.
  CHECK(count("한국어 문장") == counts_map{{"한국어", 1}, {"문장", 1}});
}

TEST_CASE("ICU segmentation: the same words wherever the pieces are cut inside a run", "[tokenizer][icu]") {
  std::string text = "我们在图书馆学习中文。私は東京大学で日本語を勉強しています。ภาษาไทยเป็นภาษาที่สวยงาม HTTP服务器";
  auto whole = count(text);
  for (std::size_t piece = 1; piece <= 40; ++piece) {
    INFO(piece);
    CHECK(count(text, {}, piece) == whole);
  }
}

TEST_CASE("ICU segmentation: invalid UTF-8 inside a run separates it", "[tokenizer][icu]") {
  CHECK(count("学习\xff学习\xe4\xb8") == counts_map{{"学习", 2}});
}

TEST_CASE("ICU segmentation: a run without an end is cut in bounded pieces", "[tokenizer][icu]") {
  std::string run;
  while (run.size() < 3 * max_run_bytes) run += "我们在图书馆学习中文";
  auto words = count(run, {}, 4096);
  // Every word of the run is counted (none lost where the run was cut), in memory bounded by max_run_bytes.
  std::uint64_t total = 0;
  for (const auto& [w, n] : words) total += n;
  auto repeats = run.size() / std::string("我们在图书馆学习中文").size();
  CHECK(words["学习"] >= repeats - 2);
  CHECK(total >= 6 * repeats - 12);
}

TEST_CASE("Hangul syllables form ordinary words", "[tokenizer]") {
  CHECK(count("\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4 ok") == counts_map{{"\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4", 1}, {"ok", 1}});
}

TEST_CASE("invalid UTF-8 bytes separate words and never crash", "[tokenizer]") {
  CHECK(count("ab\xff" "cd \xc3 ef \xed\xa0\x80gh \xf8\x88\x80\x80\x80") ==
        counts_map{{"ab", 1}, {"cd", 1}, {"ef", 1}, {"gh", 1}});
}

TEST_CASE("a non-breaking space and other Unicode spaces separate words", "[tokenizer]") {
  CHECK(count("one\xc2\xa0two\xe2\x80\x83three") == counts_map{{"one", 1}, {"two", 1}, {"three", 1}});
}

TEST_CASE("words cut between feeds are joined, whatever the piece size", "[tokenizer]") {
  std::string text = "Alpha beta GAMMA d\xc3\xa9j\xc3\xa0 \xe6\x9d\xb1 alpha, beta";
  auto whole = count(text);
  for (std::size_t piece : {1u, 2u, 3u, 5u, 7u}) {
    INFO("piece " << piece);
    CHECK(count(text, {}, piece) == whole);
  }
  CHECK(whole == counts_map{{"alpha", 2}, {"beta", 2}, {"gamma", 1}, {"d\xc3\xa9j\xc3\xa0", 1}, {"\xe6\x9d\xb1", 1}});
}

TEST_CASE("runs longer than the word limit are dropped", "[tokenizer]") {
  std::string text = "short " + std::string(max_word_bytes + 1, 'x') + " " + std::string(max_word_bytes, 'y');
  CHECK(count(text) == counts_map{{"short", 1}, {std::string(max_word_bytes, 'y'), 1}});
  CHECK(count(text, {}, 10) == counts_map{{"short", 1}, {std::string(max_word_bytes, 'y'), 1}});
}

TEST_CASE("a token pattern replaces the word rule", "[tokenizer]") {
  tokenizer_options o;
  o.token_pattern = "[A-Za-z]+@[a-z]+\\.[a-z]+";
  CHECK(count("mail Bob@example.org or amy@test.net now", o) ==
        counts_map{{"bob@example.org", 1}, {"amy@test.net", 1}});
}

TEST_CASE("a token pattern with a capture group counts the group", "[tokenizer]") {
  tokenizer_options o;
  o.token_pattern = "#(\\w+)";
  CHECK(count("#One two #three #one", o) == counts_map{{"one", 2}, {"three", 1}});
}

TEST_CASE("token pattern matches cut between feeds are found once", "[tokenizer]") {
  tokenizer_options o;
  o.token_pattern = "[a-z]+";
  std::string text = "alpha beta gamma delta alpha";
  auto whole = count(text, o);
  CHECK(whole == counts_map{{"alpha", 2}, {"beta", 1}, {"gamma", 1}, {"delta", 1}});
  CHECK(count(text, o, 3) == whole);
}

TEST_CASE("an invalid token pattern is reported", "[tokenizer]") {
  token_rules rules(tokenizer_options{false, "(unclosed"});
  CHECK_FALSE(rules.error().empty());
}

TEST_CASE("utf8_complete_prefix stops before a cut sequence", "[tokenizer]") {
  CHECK(utf8_complete_prefix("ab\xe6\x9d") == 2);
  CHECK(utf8_complete_prefix("ab\xe6\x9d\xb1") == 5);
  CHECK(utf8_complete_prefix("ab\xc3") == 2);
  CHECK(utf8_complete_prefix("abc") == 3);
}

namespace {

// The word rule for ASCII text, byte by byte: the reference for the
// 16-bytes-at-a-time fast path.
counts_map reference_ascii(std::string_view text) {
  counts_map out;
  std::string word;
  bool letter = false;
  auto flush = [&] {
    if (!word.empty() && letter && word.size() <= max_word_bytes) ++out[word];
    word.clear();
    letter = false;
  };
  for (char c : text) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (alpha || (c >= '0' && c <= '9')) {
      word.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
      letter |= alpha;
    } else {
      flush();
    }
  }
  flush();
  return out;
}

}  // namespace

TEST_CASE("ASCII words of every length and position are found as the byte rule finds them", "[tokenizer]") {
  std::mt19937 rng(3);
  const std::string alphabet = "abcXYZ019 .,-_@[`{/:\t\n";
  std::string text;
  for (int i = 0; i < 20000; ++i) {
    // Runs of 1 to 40 word bytes, so words straddle every 16-byte boundary.
    std::size_t run = 1 + rng() % 40;
    for (std::size_t k = 0; k < run; ++k) text.push_back(alphabet[rng() % 9]);
    text.push_back(alphabet[9 + rng() % (alphabet.size() - 9)]);
  }
  text += std::string(300, 'q') + " tail";  // a run over the word limit, and a word at the very end
  CHECK(count(text) == reference_ascii(text));
  CHECK(count(text, {}, 7) == reference_ascii(text));
}

TEST_CASE("an ASCII word running into a non-ASCII letter stays one word", "[tokenizer]") {
  for (std::size_t prefix = 1; prefix <= 40; ++prefix) {
    std::string word(prefix, 'a');
    CHECK(count(word + "\xc3\xa9 x") == counts_map{{word + "\xc3\xa9", 1}, {"x", 1}});
    CHECK(count(std::string(prefix, 'B') + "\xc2\xa0y") == counts_map{{std::string(prefix, 'b'), 1}, {"y", 1}});
  }
}

TEST_CASE("whole buffers count as byte-sized feeds do, on mixed text and long runs", "[tokenizer]") {
  // Feeds of 7 bytes never reach the 64-byte window path; whole buffers
  // mostly take it. Both must give the same counts.
  std::mt19937 rng(9);
  const char* pieces[] = {"a", "Z", "7", " ", ".", "\n", "caf\xc3\xa9", "\xc3\x9c", "\xe4\xb8\xad", "\xc2\xa0",
                          "\xff", "x\xcc\x81", "Word", "42", "-", "\t"};
  std::string text;
  for (int i = 0; i < 30000; ++i) {
    if (rng() % 50 == 0) text += std::string(60 + rng() % 10, 'k');  // runs near and over a window
    text += pieces[rng() % (sizeof(pieces) / sizeof(*pieces))];
  }
  for (bool keep : {false, true}) {
    tokenizer_options o;
    o.keep_numbers = keep;
    INFO("keep_numbers " << keep);
    CHECK(count(text, o) == count(text, o, 7));
  }
}
