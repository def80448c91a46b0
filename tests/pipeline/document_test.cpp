#include "crawl/pipeline/document.hpp"

#include <catch2/catch.hpp>

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
