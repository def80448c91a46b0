#include "crawl/storage/warc.hpp"

#include "compress.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace crawl::storage;

namespace {
std::string response(const std::string& headers, const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + headers + "\r\n" + body;
}
}  // namespace

TEST_CASE("archived responses are de-chunked and decoded", "[warc]") {
  http_response out;
  std::string error;
  REQUIRE(decode_http_response(response("Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
                               1000, out, error));
  CHECK(out.body == "hello world");
  CHECK(out.status == 200);
  CHECK(out.content_type == "text/plain");
  REQUIRE(decode_http_response(response("Content-Encoding: gzip\r\n", crawl::test::gzip_of("zipped text")), 1000, out,
                               error));
  CHECK(out.body == "zipped text");
  REQUIRE(decode_http_response(response("Content-Encoding: zstd\r\n", crawl::test::zstd_of("zstd text")), 1000, out,
                               error));
  CHECK(out.body == "zstd text");
  CHECK_FALSE(decode_http_response(response("Content-Encoding: gzip\r\n", crawl::test::gzip_of(std::string(5000, 'a'))),
                                   1000, out, error));
  CHECK(error == "too large");
  CHECK_FALSE(decode_http_response("garbage", 1000, out, error));
}

TEST_CASE("written records read back in order; a cut archive is an error with an offset", "[warc]") {
  auto dir = std::filesystem::temp_directory_path() / ("crawl-warc-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string path = (dir / "t.warc.zst").string();
  warc_writer writer(path, 1 << 20, "test");
  std::string error;
  REQUIRE(writer.write_exchange("http://a.test/1", "GET /1 HTTP/1.1\r\n\r\n", response("", "one"), error));
  REQUIRE(writer.write_exchange("http://a.test/2", "GET /2 HTTP/1.1\r\n\r\n", response("", "two"), error));
  REQUIRE(writer.close(error));
  auto reader = warc_reader::open(path, error);
  REQUIRE(reader);
  warc_record record;
  std::vector<std::string> seen;
  while (reader->next(record, error)) seen.push_back(record.type() + " " + record.headers["warc-target-uri"]);
  CHECK(error.empty());
  CHECK(seen == std::vector<std::string>{"warcinfo ", "response http://a.test/1", "request http://a.test/1",
                                         "response http://a.test/2", "request http://a.test/2"});
  // The same bytes cut in the middle of the last record.
  std::string plain = dir.string() + "/cut.warc";
  {
    std::string all;
    auto r2 = warc_reader::open(path, error);
    std::ifstream in(path, std::ios::binary);
    std::string packed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto d = make_decoder(compression::zstd);
    d->decode(packed, all);
    std::ofstream(plain, std::ios::binary) << all.substr(0, all.size() - 20);
  }
  auto cut = warc_reader::open(plain, error);
  int records = 0;
  while (cut->next(record, error)) ++records;
  CHECK(records == 4);
  CHECK(error.find("truncated record at byte") != std::string::npos);
  // .warc.gz: the same records, gzip-compressed.
  std::string gz = dir.string() + "/t.warc.gz";
  {
    std::ifstream in(plain, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto whole = warc_reader::open(path, error);
    std::string all;
    std::ifstream packed_in(path, std::ios::binary);
    std::string packed((std::istreambuf_iterator<char>(packed_in)), std::istreambuf_iterator<char>());
    make_decoder(compression::zstd)->decode(packed, all);
    std::ofstream(gz, std::ios::binary) << crawl::test::gzip_of(all);
  }
  auto gz_reader = warc_reader::open(gz, error);
  error.clear();
  records = 0;
  while (gz_reader->next(record, error)) ++records;
  CHECK(records == 5);
  CHECK(error.empty());
  std::filesystem::remove_all(dir);
}
