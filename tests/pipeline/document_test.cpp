#include "crawl/pipeline/document.hpp"

#include <catch2/catch.hpp>
#include <iconv.h>

#include <map>

using namespace crawl::pipeline;

namespace {
auto rules() { return std::make_shared<const token_rules>(tokenizer_options{}); }
}

TEST_CASE("content types are classified", "[document]") {
  CHECK(classify_content_type("text/html; charset=utf-8") == content_kind::html);
  CHECK(classify_content_type("application/xhtml+xml") == content_kind::html);
  CHECK(classify_content_type("text/plain") == content_kind::text);
  CHECK(classify_content_type("application/json") == content_kind::text);
  CHECK(classify_content_type("application/atom+xml") == content_kind::text);
  CHECK(classify_content_type("image/png") == content_kind::other);
  CHECK(classify_content_type("application/pdf") == content_kind::other);
  CHECK(classify_content_type("") == content_kind::unknown);
}

TEST_CASE("an HTML document in a legacy charset found by meta is counted in UTF-8", "[document]") {
  document d(content_kind::html, "", rules());
  std::string page = "<html><head><meta charset=\"iso-8859-1\"></head><body>Caf\xe9 caf\xe9</body></html>";
  for (char c : page) d.feed(std::string_view(&c, 1));
  d.finish();
  CHECK(d.counts().get("caf\xc3\xa9") == 2);
  CHECK(d.words() == 2);
}

TEST_CASE("text documents are tokenized as they are, markup included", "[document]") {
  document d(content_kind::text, "", rules());
  d.feed("<p>json</p> {\"key\": \"value\"}");
  d.finish();
  CHECK(d.counts().get("p") == 2);
  CHECK(d.counts().get("key") == 1);
}

TEST_CASE("a document without a type is sniffed", "[document]") {
  document html(content_kind::unknown, "", rules());
  html.feed("<!DOCTYPE html><p>hello</p>");
  html.finish();
  CHECK(html.kind() == content_kind::html);
  CHECK(html.counts().get("p") == 0);

  document binary(content_kind::unknown, "", rules());
  binary.feed(std::string_view("\x7f" "ELF\0\0words", 10));
  binary.finish();
  CHECK(binary.kind() == content_kind::other);
  CHECK(binary.words() == 0);
}

TEST_CASE("documents sharing a dictionary add to it only when committed", "[document]") {
  word_counts totals;
  document a(content_kind::html, "", rules());
  document b(content_kind::text, "", rules());
  a.use_dictionary(totals);
  b.use_dictionary(totals);
  a.feed("<p>Shared words</p>");
  b.feed("shared only in b");
  a.finish();
  b.finish();
  CHECK(a.words() == 2);
  CHECK(b.counts().get("shared") == 1);
  CHECK(totals.total() == 0);
  a.commit();  // b failed: never committed
  CHECK(totals.get("shared") == 1);
  CHECK(totals.get("words") == 1);
  CHECK(totals.get("only") == 0);
  CHECK(totals.distinct() == 2);
}

namespace {
// `utf8` in `charset`, by glibc's iconv (as a server would have sent it).
std::string encode(const std::string& utf8, const char* charset) {
  iconv_t cd = iconv_open(charset, "UTF-8");
  REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
  std::string out(utf8.size() * 4 + 16, '\0');
  char* src = const_cast<char*>(utf8.data());
  std::size_t src_left = utf8.size(), dst_left = out.size();
  char* dst = out.data();
  REQUIRE(iconv(cd, &src, &src_left, &dst, &dst_left) != static_cast<std::size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - dst_left);
  return out;
}
}  // namespace

TEST_CASE("words of legacy CJK and Thai charsets are cut by ICU after conversion, fed a byte at a time", "[document][icu]") {
  struct sample {
    const char* label;
    const char* iconv_name;
    std::string text;
    std::map<std::string, std::uint64_t> words;
  };
  const sample samples[] = {
      {"gbk", "GBK", "我们学习中文", {{"我们", 1}, {"学习", 1}, {"中文", 1}}},
      {"big5", "BIG5", "我們在圖書館學習", {{"我們", 1}, {"在", 1}, {"圖書館", 1}, {"學習", 1}}},
      {"shift_jis", "SHIFT_JIS", "東京大学で勉強", {{"東京", 1}, {"大学", 1}, {"で", 1}, {"勉強", 1}}},
      {"euc-jp", "EUC-JP", "日本語を勉強", {{"日本語", 1}, {"を", 1}, {"勉強", 1}}},
      {"tis-620", "TIS-620", "ภาษาไทยสวยงาม", {{"ภาษา", 1}, {"ไทย", 1}, {"สวยงาม", 1}}},
  };
  for (const auto& s : samples) {
    INFO(s.label);
    document d(content_kind::text, s.label, rules());
    std::string bytes = encode(s.text, s.iconv_name);
    for (char c : bytes) d.feed(std::string_view(&c, 1));
    d.finish();
    std::map<std::string, std::uint64_t> got;
    d.counts().for_each([&](word_count wc) { got[std::string(wc.word)] = wc.count; });
    CHECK(got == s.words);
  }
}
