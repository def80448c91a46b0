// storage/file_source: the same bytes through io_uring and through the
// helper thread, seeks, and errors that name the path.
#include "crawl/storage/file_source.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using crawl::storage::file_source;
namespace asio = boost::asio;

namespace {
std::string fresh_file(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("crawl-source-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

// Reads the whole file from `from` in blocks of 4 KiB.
std::string read_all(const std::string& path, bool io_uring, std::uint64_t from, std::string& why_not_uring) {
  asio::io_context io;
  std::string error, out;
  auto source = file_source::open(io.get_executor(), path, io_uring, error);
  REQUIRE(source);
  why_not_uring = source->fallback_reason();
  source->seek(from);
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    std::vector<char> block(4096);
    for (;;) {
      std::size_t n = co_await source->read(std::span<char>(block.data(), block.size()), error);
      if (n == 0) break;
      out.append(block.data(), n);
    }
  }, [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
  io.run();
  CHECK(error.empty());
  CHECK(source->offset() == from + out.size());
  return out;
}
}  // namespace

TEST_CASE("file source: io_uring and the helper thread read the same bytes, from any offset", "[file_source]") {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "line " + std::to_string(i) + "\n";
  std::string path = fresh_file("same", text);
  std::string uring_reason, thread_reason;
  for (std::uint64_t from : {0ull, 1ull, 12345ull}) {
    CHECK(read_all(path, true, from, uring_reason) == text.substr(from));
    CHECK(read_all(path, false, from, thread_reason) == text.substr(from));
  }
  CHECK(thread_reason.find("--no-io-uring") != std::string::npos);
  if (!uring_reason.empty()) WARN("io_uring was refused here: " << uring_reason);
}

TEST_CASE("file source: a missing file and a folder are errors naming the path", "[file_source]") {
  asio::io_context io;
  std::string error;
  CHECK_FALSE(file_source::open(io.get_executor(), "/nonexistent/crawl.log", true, error));
  CHECK(error.find("/nonexistent/crawl.log") != std::string::npos);
  error.clear();
  auto dir = std::filesystem::temp_directory_path().string();
  CHECK_FALSE(file_source::open(io.get_executor(), dir, true, error));
  CHECK(error == dir + ": is a directory");
}
