#pragma once
// Streams a URL list: memory is one read buffer, whatever the list's length.
#include "crawl/crawler/shard.hpp"
#include "crawl/crawler/url.hpp"

#include <boost/unordered/unordered_flat_set.hpp>

#include <optional>
#include <utility>
#include <vector>
#include <string>

namespace crawl::crawler {

// Reads lines from a file descriptor (blocking; run it off the event loop).
// Duplicates (by normalized URL) are dropped: the reader remembers a 64-bit
// hash of each URL in a flat hash set. Measured: 18 bytes per distinct URL
// (the set's slots, its metadata and its load factor), up to 27 while the set
// doubles; 2 million URLs hold 36 MB. The chance of a false duplicate among
// 10 million URLs is below one in 100,000.
class url_list_reader {
 public:
  // Takes ownership of `fd` unless it is 0 (standard input).
  explicit url_list_reader(int fd = -1);
  ~url_list_reader();
  url_list_reader(const url_list_reader&) = delete;
  url_list_reader& operator=(const url_list_reader&) = delete;

  // The next line that holds a URL or an error; nullopt at the end of input.
  // A read error is reported as a line with an error and ends the list.
  std::optional<url_line> next();
  // Moves on to another list (closing the last one); the duplicates seen so
  // far stay seen, so a URL in two lists is fetched once.
  void open(int fd);
  // A URL given on the command line: the line, or nullopt when it is a
  // duplicate or another shard's.
  std::optional<url_line> seed(std::string_view text);
  // Only URLs whose host is this shard's are returned; the others are
  // counted (other_shard) and never remembered. Bad lines are shard 0's.
  // With `keep_others`, the first URL of each other shard's origin is also
  // kept for take_others() (following links needs other shards' seeds for
  // its scope); memory grows with their origins, not their URLs.
  void keep_shard(shard s, bool keep_others = false) {
    shard_ = s;
    keep_others_ = keep_others;
  }
  // Other shards' URLs (one per origin) read since the last call.
  std::vector<normalized_url> take_others() { return std::exchange(others_, {}); }
  std::uint64_t duplicates() const { return duplicates_; }
  std::uint64_t other_shard() const { return other_shard_; }
  // Bytes of the current list taken as lines so far.
  std::uint64_t offset() const { return read_ - (buf_.size() - pos_); }

 private:
  bool fill();
  // A bad line is reported once in all: by shard 0.
  bool reports_bad_lines() const { return shard_.whole() || shard_.index == 0; }
  std::optional<std::string_view> next_raw_line(bool& too_long);

  int fd_;
  std::string buf_;
  std::size_t pos_ = 0;
  bool eof_ = false;
  std::string read_error_;
  std::uint64_t line_no_ = 0;
  std::uint64_t read_ = 0;  // bytes read from fd
  std::uint64_t duplicates_ = 0;
  std::uint64_t other_shard_ = 0;
  shard shard_;
  bool keep_others_ = false;
  std::vector<normalized_url> others_;
  boost::unordered_flat_set<std::string> other_origins_;
  void keep_other(normalized_url url);
  boost::unordered_flat_set<std::uint64_t> seen_;
};

}  // namespace crawl::crawler
