#pragma once
// WARC/1.1 archives: writing request/response pairs to .warc.zst files (one
// zstd frame per record, rolling over at a size), reading records back from
// .warc, .warc.gz or .warc.zst, and decoding an archived HTTP response.
#include "crawl/storage/atomic_file.hpp"
#include "crawl/storage/decoded_source.hpp"
#include "crawl/storage/decoder.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace crawl::storage {

class warc_writer {
 public:
  // `path` ends in .warc.zst; later files get -00001, -00002... before it.
  warc_writer(std::string path, std::uint64_t max_size, std::string software);
  // Appends a request record and its response record. Opens the first
  // file, or the next one past max_size, as needed.
  bool write_exchange(const std::string& url, const std::string& request, const std::string& response,
                      std::string& error);
  // Commits the current file (renamed into place).
  bool close(std::string& error);

 private:
  bool open_next(std::string& error);
  void append_record(const std::string& type, const std::string& url, const std::string& content_type,
                     const std::string& block, const std::string& id, const std::string& concurrent_to);
  std::string path_;
  std::uint64_t max_size_;
  std::string software_;
  atomic_file file_;
  std::uint64_t written_ = 0;
  int files_opened_ = 0;
};

struct warc_record {
  std::map<std::string, std::string> headers;  // names lowercased
  std::string block;
  const std::string& type() const;
};

// Streams records from a WARC file, plain or compressed (by magic bytes).
// Memory is bounded: the file is decoded in pieces, and a record whose block
// is larger than `max_block` is skipped without being held.
class warc_reader {
 public:
  static constexpr std::uint64_t default_max_block = 64ull << 20;
  static std::unique_ptr<warc_reader> open(const std::string& path, std::string& error,
                                           std::uint64_t max_block = default_max_block);
  ~warc_reader();
  // true: the next record. false at the end (error empty), or for a damaged
  // record (error names the file and its byte offset): call again to go on
  // with the records after it.
  bool next(warc_record& record, std::string& error);

 private:
  bool fill();
  bool fail(std::string& error, const std::string& what, bool resync_after);
  void resync();
  void drop(std::size_t n);
  bool skip(std::uint64_t n);
  int fd_ = -1;
  std::string path_;
  std::uint64_t max_block_ = default_max_block;
  decoded_source source_;
  std::string raw_;     // the raw block being decoded
  std::string buffer_;  // decoded bytes not yet consumed
  std::uint64_t offset_ = 0;  // decoded bytes consumed by records
  bool eof_ = false;
  bool at_end_ = false;  // the end of the file has been fed to the source
  std::string read_error_;
};

// True when the first bytes are a WARC file, plain or compressed.
bool looks_like_warc(const std::string& path);

struct http_response {
  long status = 0;
  std::string content_type;
  std::string body;  // after transfer and content decoding
};

// Parses an archived HTTP response (as received) and decodes its body:
// chunked framing, then gzip, deflate, br or zstd. Stops past max_size
// decoded bytes (returns false with error "too large").
bool decode_http_response(std::string_view message, std::uint64_t max_size, http_response& out, std::string& error);

}  // namespace crawl::storage
