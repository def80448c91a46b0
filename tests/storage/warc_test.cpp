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

TEST_CASE("written records read back in order and a cut archive is an error with an offset", "[warc]") {
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
    REQUIRE(zstd_decompress(packed, all));
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
    REQUIRE(zstd_decompress(packed, all));
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

namespace {
// A plain WARC response record; `length` replaces the true Content-Length.
std::string warc_record_text(const std::string& body_words, const std::string& length = "") {
  std::string block = response("", body_words);
  return "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: http://a.test/\r\nContent-Type: "
         "application/http;msgtype=response\r\nContent-Length: " +
         (length.empty() ? std::to_string(block.size()) : length) + "\r\n\r\n" + block + "\r\n\r\n";
}

std::vector<std::string> read_all(const std::string& path, std::vector<std::string>& errors,
                                  std::uint64_t max_block = warc_reader::default_max_block) {
  std::string error;
  auto reader = warc_reader::open(path, error, max_block);
  std::vector<std::string> bodies;
  warc_record record;
  for (int guard = 0; guard < 100; ++guard) {
    if (reader->next(record, error)) {
      bodies.push_back(record.block.substr(record.block.find("\r\n\r\n") + 4));
      continue;
    }
    if (error.empty()) break;
    errors.push_back(error);
    error.clear();
  }
  return bodies;
}
}  // namespace

TEST_CASE("a record with a bad Content-Length is an error with its offset and the records after it are read", "[warc]") {
  auto dir = std::filesystem::temp_directory_path() / ("crawl-warc-bad-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (const std::string bad : {"x", "99999999999999999999999", "-5", ""}) {
    INFO("Content-Length: " << bad);
    std::string first = warc_record_text("first");
    std::string text = first + warc_record_text("damaged", bad.empty() ? " " : bad) + warc_record_text("third");
    std::string path = (dir / "bad.warc").string();
    std::ofstream(path, std::ios::binary) << text;
    std::vector<std::string> errors;
    auto bodies = read_all(path, errors);
    CHECK(bodies == std::vector<std::string>{"first", "third"});
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find(path + ": record with a bad Content-Length") != std::string::npos);
    CHECK(errors[0].find("at byte " + std::to_string(first.size())) != std::string::npos);
    // The same inside zstd.
    std::string zpath = (dir / "bad.warc.zst").string();
    std::ofstream(zpath, std::ios::binary) << crawl::test::zstd_of(text);
    errors.clear();
    CHECK(read_all(zpath, errors) == std::vector<std::string>{"first", "third"});
    CHECK(errors.size() == 1);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a record larger than the limit is skipped without being held, and named", "[warc]") {
  auto dir = std::filesystem::temp_directory_path() / ("crawl-warc-big-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "big.warc.zst").string();
  std::string big = warc_record_text(std::string(3 << 20, 'b'));
  std::ofstream(path, std::ios::binary) << crawl::test::zstd_of(warc_record_text("small") + big + warc_record_text("after"));
  std::vector<std::string> errors;
  auto bodies = read_all(path, errors, 1 << 20);
  CHECK(bodies == std::vector<std::string>{"small", "after"});
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].find("skipped") != std::string::npos);
  std::filesystem::remove_all(dir);
}
