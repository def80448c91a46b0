#include "crawl/crawler/url_feed.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace crawl::crawler {

namespace asio = boost::asio;

// Shared by the loop and the reading thread; every field below `mutex` is
// guarded by it.
struct url_feed::shared : std::enable_shared_from_this<url_feed::shared> {
  shared(std::vector<url_source> s, asio::any_io_executor ex) : sources(std::move(s)), loop(std::move(ex)) {}
  std::vector<url_source> sources;  // the reading thread's only
  url_list_reader reader;           // the reading thread's only
  asio::any_io_executor loop;
  std::mutex mutex;
  std::condition_variable room;  // the reader waits here while the queue is full
  std::deque<url_batch> queue;
  bool ended = false;    // the list was read to its end
  bool stopped = false;  // stop(): no more batches, no more wake-ups
  bool finished = false; // the thread has returned
  // The loop is waiting in next(): the reader posts `wake` once.
  asio::steady_timer* waiting = nullptr;

  // With the mutex held: tells a waiting next() to look again.
  void wake_loop() {
    if (!waiting || stopped) return;
    asio::steady_timer* timer = waiting;
    waiting = nullptr;
    asio::post(loop, [self = shared_from_this(), timer] {
      std::lock_guard lock(self->mutex);
      if (!self->stopped) timer->cancel();
    });
  }
};

namespace {

url_batch read_batch(url_list_reader& reader, std::size_t source, std::uint64_t lists_before) {
  url_batch batch;
  batch.source = source;
  batch.lines.reserve(url_batch_size);
  std::uint64_t duplicates_before = reader.duplicates(), other_before = reader.other_shard();
  while (batch.lines.size() < url_batch_size) {
    auto line = reader.next();
    if (!line) break;
    batch.lines.push_back(std::move(*line));
  }
  batch.duplicates = reader.duplicates() - duplicates_before;
  batch.other_shard = reader.other_shard() - other_before;
  batch.others = reader.take_others();
  batch.list_offset = lists_before + reader.offset();
  return batch;
}

url_batch seed_batch(url_list_reader& reader, const url_source& source, std::size_t index, std::uint64_t lists) {
  url_batch batch;
  batch.source = index;
  batch.list_offset = lists;
  std::uint64_t other_before = reader.other_shard();
  if (auto line = reader.seed(source.seed)) batch.lines.push_back(std::move(*line));
  else if (reader.other_shard() > other_before) batch.other_shard = 1, batch.others = reader.take_others();
  else batch.duplicates = 1;
  return batch;
}

}  // namespace

url_feed::url_feed(int fd, asio::any_io_executor loop) : url_feed(std::vector<url_source>{url_source{{}, fd}}, loop) {}

url_feed::url_feed(std::vector<url_source> sources, asio::any_io_executor loop, shard keep, bool keep_others)
    : shared_(std::make_shared<shared>(std::move(sources), loop)),
      wake_(loop, std::chrono::steady_clock::time_point::max()) {
  shared_->reader.keep_shard(keep, keep_others);
  thread_ = std::thread([st = shared_] { read_list(st); });
}

void url_feed::read_list(const std::shared_ptr<shared>& st) {
  std::uint64_t lists_before = 0;  // bytes of the lists already read
  for (std::size_t i = 0; i < st->sources.size(); ++i) {
    const url_source& source = st->sources[i];
    bool seed = !source.seed.empty();
    if (!seed) st->reader.open(source.fd);
    bool source_done = false;
    while (!source_done) {
      // Blocking reads, outside the lock.
      url_batch batch = seed ? seed_batch(st->reader, source, i, lists_before) : read_batch(st->reader, i, lists_before);
      source_done = seed || batch.lines.size() < url_batch_size;
      bool last = source_done && i + 1 == st->sources.size();
      std::unique_lock lock(st->mutex);
      st->room.wait(lock, [&] { return st->stopped || st->queue.size() < url_batches_queued; });
      if (st->stopped) {
        st->finished = true;
        return;
      }
      if (!batch.lines.empty() || batch.duplicates > 0 || batch.other_shard > 0) st->queue.push_back(std::move(batch));
      if (last) st->ended = true;
      st->wake_loop();
    }
    if (!seed) lists_before += st->reader.offset();
  }
  std::lock_guard lock(st->mutex);
  st->ended = true;
  st->wake_loop();
  st->finished = true;
}

url_feed::~url_feed() {
  stop();
  if (!thread_.joinable()) return;
  bool finished;
  {
    std::lock_guard lock(shared_->mutex);
    finished = shared_->finished;
  }
  // A thread blocked reading a terminal or a pipe that never ends is left
  // behind rather than waited for: it holds only its own state, and after
  // stop() it posts nothing.
  if (finished) thread_.join();
  else thread_.detach();
}

void url_feed::stop() {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopped = true;
    shared_->waiting = nullptr;
    shared_->queue.clear();
  }
  shared_->room.notify_all();
  wake_.cancel();
}

asio::awaitable<std::optional<url_batch>> url_feed::next() {
  for (;;) {
    {
      std::lock_guard lock(shared_->mutex);
      if (shared_->stopped) co_return std::nullopt;
      if (!shared_->queue.empty()) {
        url_batch batch = std::move(shared_->queue.front());
        shared_->queue.pop_front();
        shared_->room.notify_one();
        co_return batch;
      }
      if (shared_->ended) co_return std::nullopt;
      shared_->waiting = &wake_;
    }
    // Nothing runs on this thread between the unlock and the wait, so a
    // wake-up posted meanwhile finds the wait in place.
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace crawl::crawler
