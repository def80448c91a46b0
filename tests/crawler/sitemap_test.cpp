// Sitemap files: the forms the protocol allows, gzip, pieces, and the
// files a hostile or broken server sends.
#include "crawl/crawler/sitemap.hpp"

#include <catch2/catch.hpp>
#include <zlib.h>

#include <string>
#include <vector>

using crawl::crawler::sitemap_reader;

namespace {

struct reading {
  std::vector<std::string> locs;
  bool ok = false;
  sitemap_reader::kind kind = sitemap_reader::kind::unknown;
  std::string error, cut;
};

// Feeds `file` in pieces of `piece` bytes (0: whole).
reading read_sitemap(std::string_view file, std::size_t piece = 0) {
  sitemap_reader reader;
  reading r;
  if (piece == 0) piece = file.size() + 1;
  for (std::size_t at = 0; at < file.size(); at += piece) {
    bool more = reader.feed(file.substr(at, piece));
    for (auto& loc : reader.take()) r.locs.push_back(loc);
    if (!more) break;
  }
  r.ok = reader.finish();
  for (auto& loc : reader.take()) r.locs.push_back(loc);
  r.kind = reader.what();
  r.error = reader.error();
  r.cut = reader.cut();
  return r;
}

std::string gzipped(std::string_view text) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, static_cast<uLong>(text.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

const std::string urlset =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"\n"
    "        xmlns:image=\"http://www.google.com/schemas/sitemap-image/1.1\">\n"
    "  <url><loc>http://example.test/</loc><lastmod>2026-11-01</lastmod></url>\n"
    "  <url>\n    <loc>\n      http://example.test/a?x=1&amp;y=2\n    </loc>\n"
    "    <image:image><image:loc>http://example.test/photo.jpg</image:loc></image:image>\n  </url>\n"
    "  <url><loc><![CDATA[http://example.test/b]]></loc></url>\n"
    "  <url><loc>http://example.test/%E4%B8%AD</loc></url>\n"
    "</urlset>\n";
const std::vector<std::string> urlset_locs = {"http://example.test/", "http://example.test/a?x=1&y=2",
                                              "http://example.test/b", "http://example.test/%E4%B8%AD"};

}  // namespace

TEST_CASE("sitemap: a urlset gives its <url><loc> entries in order, entities decoded, white space trimmed") {
  auto r = read_sitemap(urlset);
  CHECK(r.ok);
  CHECK(r.kind == sitemap_reader::kind::urlset);
  CHECK(r.locs == urlset_locs);  // not the image's <image:loc>
}

TEST_CASE("sitemap: any namespace prefix, and none") {
  auto prefixed = read_sitemap(
      "<sm:urlset xmlns:sm=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sm:url><sm:loc>http://a.test/1</sm:loc>"
      "</sm:url></sm:urlset>");
  CHECK(prefixed.locs == std::vector<std::string>{"http://a.test/1"});
  auto bare = read_sitemap("<urlset><url><loc>http://a.test/2</loc></url></urlset>");
  CHECK(bare.locs == std::vector<std::string>{"http://a.test/2"});
}

TEST_CASE("sitemap: an index gives its <sitemap><loc> entries, and says it is an index") {
  auto r = read_sitemap(
      "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
      "<sitemap><loc>http://a.test/s1.xml.gz</loc></sitemap><sitemap><loc>http://a.test/s2.xml</loc></sitemap>"
      "<url><loc>http://a.test/not-an-entry</loc></url></sitemapindex>");
  CHECK(r.ok);
  CHECK(r.kind == sitemap_reader::kind::index);
  CHECK(r.locs == std::vector<std::string>{"http://a.test/s1.xml.gz", "http://a.test/s2.xml"});
}

TEST_CASE("sitemap: a text file is one URL per line (BOM, CRLF, blank lines, no final newline)") {
  auto r = read_sitemap("\xEF\xBB\xBFhttp://a.test/1\r\n\r\n  http://a.test/2  \nhttp://a.test/3");
  CHECK(r.ok);
  CHECK(r.kind == sitemap_reader::kind::text);
  CHECK(r.locs == std::vector<std::string>{"http://a.test/1", "http://a.test/2", "http://a.test/3"});
}

TEST_CASE("sitemap: white space and a BOM before the XML declaration are accepted") {
  auto r = read_sitemap("\xEF\xBB\xBF\n\n  " + urlset);
  CHECK(r.ok);
  CHECK(r.locs == urlset_locs);
}

TEST_CASE("sitemap: fed in pieces of every size, XML and gzip give what the whole file gives") {
  std::string gz = gzipped(urlset);
  for (std::size_t piece = 1; piece <= 64; ++piece) {
    INFO("piece " << piece);
    auto xml = read_sitemap(urlset, piece);
    CHECK(xml.ok);
    CHECK(xml.locs == urlset_locs);
    auto packed = read_sitemap(gz, piece);
    CHECK(packed.ok);
    CHECK(packed.locs == urlset_locs);
  }
  auto text = read_sitemap("http://a.test/1\nhttp://a.test/2\n", 1);
  CHECK(text.locs == std::vector<std::string>{"http://a.test/1", "http://a.test/2"});
}

TEST_CASE("sitemap: a DTD is refused, so an entity bomb is never expanded") {
  std::string bomb =
      "<?xml version=\"1.0\"?><!DOCTYPE urlset [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">"
      "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]><urlset><url><loc>http://a.test/&c;</loc></url></urlset>";
  auto r = read_sitemap(bomb);
  CHECK_FALSE(r.ok);
  CHECK(r.locs.empty());
  CHECK(r.error.find("DTD") != std::string::npos);
}

TEST_CASE("sitemap: an HTML page or broken XML is an error naming where, keeping what came before") {
  auto html = read_sitemap("<!-- not found --><html><body>Not found</body></html>");
  CHECK_FALSE(html.ok);
  CHECK(html.error.find("root element is <html>") != std::string::npos);

  auto broken = read_sitemap("<urlset>\n<url><loc>http://a.test/1</loc></url>\n<url><loc>http://a.test/2</url>");
  CHECK_FALSE(broken.ok);
  CHECK(broken.locs == std::vector<std::string>{"http://a.test/1"});
  CHECK(broken.error.find("line 3") != std::string::npos);
  CHECK(broken.error.find("byte ") != std::string::npos);

  auto empty = read_sitemap("");
  CHECK_FALSE(empty.ok);
  CHECK(empty.error == "the file is empty");
}

TEST_CASE("sitemap: gzip cut short or corrupt is an error with the compressed offset") {
  std::string gz = gzipped(urlset);
  auto cut = read_sitemap(gz.substr(0, gz.size() / 2));
  CHECK_FALSE(cut.ok);
  CHECK(cut.error.find("ends early") != std::string::npos);

  std::string corrupt = gz;
  for (std::size_t i = 12; i < corrupt.size(); ++i) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  auto bad = read_sitemap(corrupt);
  CHECK_FALSE(bad.ok);
  CHECK(bad.error.find("not valid gzip at compressed byte") != std::string::npos);
}

TEST_CASE("sitemap: at most 50,000 locations per file, the rest ignored and said") {
  std::string text;
  for (int i = 0; i < 50'010; ++i) text += "http://a.test/" + std::to_string(i) + "\n";
  auto r = read_sitemap(text, 4096);
  CHECK(r.ok);
  CHECK(r.locs.size() == sitemap_reader::max_urls);
  CHECK(r.locs.back() == "http://a.test/49999");
  CHECK(r.cut.find("more than 50000 locations") != std::string::npos);
}

TEST_CASE("sitemap: a gzip bomb stops at 50 MiB of content, not at the end of its expansion") {
  // 200 MiB of spaces after an opening tag: about 200 KB compressed.
  std::string content = "<urlset><url><loc>http://a.test/1</loc></url>";
  content.append(200u << 20, ' ');
  std::string gz = gzipped(content);
  content.clear();
  content.shrink_to_fit();
  auto r = read_sitemap(gz, 64 * 1024);
  CHECK(r.ok);
  CHECK(r.locs == std::vector<std::string>{"http://a.test/1"});
  CHECK(r.cut.find("bytes uncompressed") != std::string::npos);
}

TEST_CASE("sitemap: a location longer than 8 KiB is skipped, in XML and text alike") {
  std::string long_url = "http://a.test/" + std::string(9000, 'x');
  auto xml = read_sitemap("<urlset><url><loc>" + long_url + "</loc></url><url><loc>http://a.test/ok</loc></url></urlset>");
  CHECK(xml.locs == std::vector<std::string>{"http://a.test/ok"});
  auto text = read_sitemap(long_url + "\nhttp://a.test/ok\n", 100);
  CHECK(text.locs == std::vector<std::string>{"http://a.test/ok"});
}

TEST_CASE("sitemap: a gzip file whose check fails keeps what it gave before, whole or in pieces (fuzz finding)") {
  std::string content = "<urlset><url><loc>http://a.test/z</loc></url></urlset>";
  std::string gz = gzipped(content);
  gz[gz.size() - 8] = static_cast<char>(gz[gz.size() - 8] ^ 1);  // the CRC-32 of the trailer
  auto whole = read_sitemap(gz);
  auto pieces = read_sitemap(gz, 17);
  CHECK_FALSE(whole.ok);
  CHECK(whole.error.find("not valid gzip") != std::string::npos);
  CHECK(whole.locs == pieces.locs);
  CHECK(whole.locs == std::vector<std::string>{"http://a.test/z"});
}

TEST_CASE("sitemap: a byte order mark split across pieces is still one (fuzz finding)") {
  for (std::size_t piece : {0, 1, 2}) {
    INFO("piece " << piece);
    auto blank = read_sitemap("\xEF\xBB\xBF\n", piece);
    CHECK_FALSE(blank.ok);
    CHECK(blank.error == "the file is empty");
    auto text = read_sitemap("\xEF\xBB\xBFhttp://a.test/1\n", piece);
    CHECK(text.ok);
    CHECK(text.locs == std::vector<std::string>{"http://a.test/1"});
    auto xml = read_sitemap("\xEF\xBB\xBF<urlset><url><loc>http://a.test/2</loc></url></urlset>", piece);
    CHECK(xml.locs == std::vector<std::string>{"http://a.test/2"});
  }
  CHECK(read_sitemap("\xEF\xBB", 1).locs == std::vector<std::string>{"\xEF\xBB"});  // not a URL, but what the file says
}
