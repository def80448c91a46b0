#pragma once
// Cuts a byte stream into chunks of whole lines, with a cap on line length.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace crawl::pipeline {

// Feed it buffers of any size; it hands out chunks that end at a '\n' (the
// last chunk of a stream may end without one). A line longer than
// `max_line` bytes is handed out cut to `max_line` bytes, as a chunk of its
// own with `truncated` set, and the rest of it is skipped: memory never
// grows with line length. Pure; not thread-safe.
class line_chunker {
 public:
  struct chunk {
    std::string bytes;
    bool truncated = false;   // one line, cut at max_line
    std::uint64_t skipped = 0;  // bytes of cut lines dropped since the last chunk
  };
  using sink = std::function<void(chunk&&)>;

  line_chunker(std::size_t max_line, std::size_t chunk_bytes) : max_line_(max_line), chunk_bytes_(chunk_bytes) {}

  void feed(std::string_view bytes, const sink& out);
  // Hands out the whole lines held back (at the current end of a file that
  // may still grow); an unterminated last line stays.
  void flush(const sink& out);
  // The stream ended: an unterminated last line is handed out too.
  void finish(const sink& out);
  // Bytes handed out or skipped so far, i.e. the stream offset just past the last line handed out.
  std::uint64_t consumed() const { return consumed_; }
  // Bytes held back: the start of a line not yet ended.
  std::size_t pending() const { return carry_.size(); }

 private:
  void emit(const sink& out, bool truncated);
  void emit_whole_lines(const sink& out);
  void cut_line(const sink& out, std::size_t end);
  void find_line_start(std::size_t from);
  std::size_t max_line_;
  std::size_t chunk_bytes_;
  std::string carry_;        // whole lines waiting to fill a chunk, then a partial line
  std::size_t line_start_ = 0;  // where the partial line begins in carry_
  bool skipping_ = false;    // inside the rest of a truncated line
  std::uint64_t skipped_ = 0;  // dropped bytes not yet reported in a chunk
  std::uint64_t consumed_ = 0;
};

}  // namespace crawl::pipeline
