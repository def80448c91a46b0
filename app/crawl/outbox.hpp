#pragma once
// --outbox DIR: with --follow on a shard, links to other shards' hosts are
// not fetched here but written to DIR/to-<shard>.urls, one URL a line,
// each once, for the next round (Nutch's generate/fetch/update cycle, a
// round per command). A file that is already there (an interrupted run of
// this round) keeps its URLs: the new ones are added. Each file appears
// whole at commit(), or stays as it was.
#include "crawl/storage/atomic_file.hpp"

#include <boost/unordered/unordered_flat_set.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace crawl::app {

class outbox {
 public:
  explicit outbox(std::string dir) : dir_(std::move(dir)) {}
  // false with `error` (naming the file) when its file cannot be made.
  bool add(const std::string& url, std::uint32_t shard, std::string& error);
  // Every file into place; false with `error` at the first that fails.
  bool commit(std::string& error);
  std::uint64_t urls() const { return urls_; }  // new URLs written, all files
  std::string path_of(std::uint32_t shard) const { return dir_ + "/to-" + std::to_string(shard) + ".urls"; }

 private:
  struct box {
    storage::atomic_file file;
    boost::unordered_flat_set<std::uint64_t> seen;  // hashes of the URLs in it (8 bytes and a little each)
  };
  bool open(std::uint32_t shard, box& b, std::string& error);
  std::string dir_;
  std::map<std::uint32_t, box> boxes_;
  std::uint64_t urls_ = 0;
};

}  // namespace crawl::app
