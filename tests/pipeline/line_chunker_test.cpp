#include "crawl/pipeline/line_chunker.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using crawl::pipeline::line_chunker;

namespace {
struct collected {
  std::vector<std::string> chunks;
  std::vector<bool> truncated;
  std::string all() const {
    std::string s;
    for (const auto& c : chunks) s += c;
    return s;
  }
};

collected run(const std::string& input, std::size_t piece, std::size_t max_line, std::size_t chunk, bool finish = true) {
  line_chunker chunker(max_line, chunk);
  collected out;
  auto sink = [&](line_chunker::chunk&& c) {
    out.chunks.push_back(std::move(c.bytes));
    out.truncated.push_back(c.truncated);
  };
  for (std::size_t i = 0; i < input.size(); i += piece) chunker.feed(std::string_view(input).substr(i, piece), sink);
  if (finish) chunker.finish(sink);
  else chunker.flush(sink);
  return out;
}
}  // namespace

TEST_CASE("chunks end at line boundaries whatever the read size", "[lines]") {
  std::string input;
  for (int i = 0; i < 500; ++i) input += "line number " + std::to_string(i) + "\n";
  for (std::size_t piece : {1u, 7u, 100u, 4096u}) {
    INFO("piece " << piece);
    auto out = run(input, piece, 1 << 20, 256);
    CHECK(out.all() == input);
    for (const auto& c : out.chunks) CHECK(c.back() == '\n');
  }
}

TEST_CASE("a last line without a newline is handed out at finish, kept at flush", "[lines]") {
  CHECK(run("a\nb\nlast", 3, 100, 1000).all() == "a\nb\nlast");
  line_chunker chunker(100, 1000);
  std::string out;
  auto sink = [&](line_chunker::chunk&& c) { out += c.bytes; };
  chunker.feed("a\nb\nlas", sink);
  chunker.flush(sink);
  CHECK(out == "a\nb\n");
  CHECK(chunker.consumed() == 4);
  CHECK(chunker.pending() == 3);
  chunker.feed("t\n", sink);
  chunker.flush(sink);
  CHECK(out == "a\nb\nlast\n");
}

TEST_CASE("a line over the cap is cut, flagged and the rest skipped", "[lines]") {
  std::string long_line(5000, 'x');
  std::string input = "short\n" + long_line + "\nafter\n";
  for (std::size_t piece : {1u, 13u, 1000u, 100000u}) {
    INFO("piece " << piece);
    auto out = run(input, piece, 100, 64);
    std::string joined;
    int truncated = 0;
    for (std::size_t i = 0; i < out.chunks.size(); ++i) {
      if (out.truncated[i]) {
        ++truncated;
        CHECK(out.chunks[i] == std::string(100, 'x'));
      } else {
        joined += out.chunks[i];
      }
    }
    CHECK(truncated == 1);
    CHECK(joined == "short\nafter\n");
  }
}

TEST_CASE("consumed counts every byte handed out or skipped", "[lines]") {
  line_chunker chunker(10, 64);
  auto sink = [](line_chunker::chunk&&) {};
  std::string input = "ok\n" + std::string(50, 'y') + "\nend\n";
  chunker.feed(input, sink);
  chunker.flush(sink);
  CHECK(chunker.consumed() == input.size());
}
