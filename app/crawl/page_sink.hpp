#pragma once
// Connects one URL's body bytes (crawler) to a text worker (pipeline):
// gathers them into chunks, hands chunks over through the worker's bounded
// channel, and pauses the transfer while that channel is full.
#include "page_workers.hpp"

#include "crawl/crawler/fetch.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace crawl::app {

// Lives on the network thread, shared by the URL's coroutine and the
// coroutine that drains its outbox, so neither outlives the other's data.
class page_sink : public crawler::body_sink, public std::enable_shared_from_this<page_sink> {
 public:
  // What a page is read for besides its words.
  struct reading {
    bool keep_counts = false;    // hand its counts back (--state)
    bool links = false;          // read its links (--follow)
    bool obey_noindex = false;   // a noindex page's words do not count
    bool resolve_links = false;  // resolve the links in the worker (they will be followed or reported)
  };
  page_sink(worker_pool& workers, std::shared_ptr<const pipeline::token_rules> rules,
            boost::asio::any_io_executor network, reading what);

  bool on_head(const crawler::response_head& head, std::function<void()> resume) override;
  bool on_body(std::string_view bytes) override;
  void on_discard() override;

  // After the last attempt: count the page (on_done runs on the network
  // thread once the worker is through) or drop it. Returns false when there
  // was no page to count (no body arrived); on_done is not called then.
  // `base_url`: the page's final URL, which its links resolve against.
  bool commit(std::function<void(page_outcome)> on_done, std::string base_url = {});
  void discard() { on_discard(); }

 private:
  void send(text_chunk chunk);
  // `self` keeps the sink alive until its outbox is sent.
  boost::asio::awaitable<void> drain(std::shared_ptr<page_sink> self);

  worker_pool& workers_;
  std::shared_ptr<const pipeline::token_rules> rules_;
  boost::asio::any_io_executor network_;
  chunk_channel* channel_ = nullptr;
  std::shared_ptr<page_job> page_;
  std::string buffer_;
  std::int64_t expected_ = -1;  // body bytes still announced (Content-Length), -1: unknown
  // In order; at most one data chunk and an end. A vector: it allocates
  // nothing until used, where a deque took 576 bytes per page in flight.
  std::vector<text_chunk> outbox_;
  reading what_;
  bool draining_ = false;
  bool paused_ = false;
  std::function<void()> resume_;
};

}  // namespace crawl::app
