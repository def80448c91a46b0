#include "page_workers.hpp"

#include "link_follower.hpp"

#include "crawl/pipeline/count_output.hpp"
#include "crawl/storage/decoder.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstring>

namespace crawl::app {

namespace asio = boost::asio;

struct worker_pool::worker {
  worker(std::unique_ptr<asio::io_context> own, asio::any_io_executor ex)
      : context(std::move(own)), channel(ex, channel_capacity) {}
  std::unique_ptr<asio::io_context> context;  // null: runs on the network thread
  chunk_channel channel;
  pipeline::word_counts totals;
  std::thread thread;
};

namespace {

// A 64-bit hash of the body, fed chunk by chunk, 8 bytes at a time: cheap
// enough to run only for --state, where it tells whether content changed.
void mix_hash(std::uint64_t& h, std::string_view bytes) {
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t v;
    std::memcpy(&v, bytes.data() + i, 8);
    h = (h ^ v) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
  }
  for (; i < bytes.size(); ++i) h = (h ^ static_cast<unsigned char>(bytes[i])) * 0x100000001B3ull;
}

void feed_page(text_chunk& chunk, pipeline::word_counts& totals) {
  page_job& page = *chunk.page;
  if (!page.attached) {  // the page's words are interned in this worker's totals
    page.doc.use_dictionary(totals);
    page.attached = true;
  }
  if (chunk.bytes.empty()) return;
  if (page.keep_counts) mix_hash(page.content_hash, chunk.bytes);
  page.doc.feed(chunk.bytes);
}

void finish_page(text_chunk& chunk, const asio::any_io_executor& network) {
  page_job& page = *chunk.page;
  page.doc.finish();
  page_outcome outcome;
  outcome.words = page.doc.words();
  outcome.kind = page.doc.kind();
  outcome.content_hash = page.content_hash;
  outcome.links = page.links;
  outcome.noindex = page.links && page.obey_noindex && page.links->page_noindex;
  if (page.links && page.resolve_links) {
    outcome.resolved = resolve_page_links(*page.links, page.base_url);
    // Only the resolved form goes on: a page of many links is held once while it waits.
    std::vector<pipeline::html_link>().swap(page.links->links);
  }
  if (outcome.noindex) {  // fetched for its links; its words are not counted
    outcome.words = 0;
  } else {
    if (page.keep_counts) outcome.counts = storage::zstd_compress(pipeline::serialize_counts(page.doc.counts()));
    page.doc.commit();
  }
  if (page.on_done) asio::post(network, [done = std::move(page.on_done), outcome] { done(outcome); });
}

// One worker: a straight loop over its channel until the channel closes.
asio::awaitable<void> run_worker(chunk_channel& channel, pipeline::word_counts& totals,
                                 asio::any_io_executor network) {
  for (;;) {
    auto [ec, chunk] = co_await channel.async_receive(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    switch (chunk.what) {
      case text_chunk::action::data:
        feed_page(chunk, totals);
        break;
      case text_chunk::action::commit:
        feed_page(chunk, totals);
        finish_page(chunk, network);
        break;
      case text_chunk::action::discard:  // the page's words were never committed
        break;
    }
  }
}

}  // namespace

worker_pool::worker_pool(unsigned workers, asio::io_context& network,
                         std::function<void(std::exception_ptr)> on_failure)
    : network_(network.get_executor()), on_failure_(std::move(on_failure)) {
  // A worker's exception is handed to the network thread, never dropped.
  auto report = [this](std::exception_ptr e) {
    if (e) asio::post(network_, [this, e] { on_failure_(e); });
  };
  if (workers <= 1) {
    workers_.push_back(std::make_unique<worker>(nullptr, network.get_executor()));
    asio::co_spawn(network, run_worker(workers_[0]->channel, workers_[0]->totals, network_), report);
    return;
  }
  for (unsigned i = 0; i < workers; ++i) {
    auto context = std::make_unique<asio::io_context>(1);
    auto executor = context->get_executor();
    auto w = std::make_unique<worker>(std::move(context), executor);
    asio::co_spawn(*w->context, run_worker(w->channel, w->totals, network_), report);
    w->thread = std::thread([ctx = w->context.get()] { ctx->run(); });
    workers_.push_back(std::move(w));
  }
}

worker_pool::~worker_pool() { join(); }

chunk_channel& worker_pool::pick() {
  return workers_[next_.fetch_add(1, std::memory_order_relaxed) % workers_.size()]->channel;
}

void worker_pool::close() {
  for (auto& w : workers_) {
    w->channel.cancel();
    w->channel.close();
  }
}

void worker_pool::join() {
  close();
  for (auto& w : workers_)
    if (w->thread.joinable()) w->thread.join();
}

pipeline::word_counts worker_pool::take_totals() {
  pipeline::word_counts all = std::move(workers_[0]->totals);
  for (std::size_t i = 1; i < workers_.size(); ++i) all.merge(workers_[i]->totals);
  return all;
}

}  // namespace crawl::app
