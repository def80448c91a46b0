#include "outbox.hpp"

#include "crawl/crawler/shard.hpp"

#include <fstream>

namespace crawl::app {

bool outbox::open(std::uint32_t shard, box& b, std::string& error) {
  std::string path = path_of(shard);
  if (!b.file.open(path, error)) return false;
  std::ifstream earlier(path);  // this round's file from an interrupted run: kept
  for (std::string line; std::getline(earlier, line);)
    if (!line.empty() && b.seen.insert(crawler::stable_hash(line)).second) b.file.write(line + "\n");
  return true;
}

bool outbox::add(const std::string& url, std::uint32_t shard, std::string& error) {
  auto [it, fresh] = boxes_.try_emplace(shard);
  if (fresh && !open(shard, it->second, error)) {
    boxes_.erase(it);
    return false;
  }
  if (!it->second.seen.insert(crawler::stable_hash(url)).second) return true;
  it->second.file.write(url + "\n");
  ++urls_;
  return true;
}

bool outbox::commit(std::string& error) {
  for (auto& [shard, b] : boxes_)
    if (!b.file.commit(error)) return false;
  return true;
}

}  // namespace crawl::app
