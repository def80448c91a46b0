#include "page_sink.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace crawl::app {

namespace asio = boost::asio;

page_sink::page_sink(worker_pool& workers, std::shared_ptr<const pipeline::token_rules> rules,
                     asio::any_io_executor network, reading what)
    : workers_(workers), rules_(std::move(rules)), network_(std::move(network)), what_(what) {}

bool page_sink::on_head(const crawler::response_head& head, std::function<void()> resume) {
  auto kind = pipeline::classify_content_type(head.content_type);
  if (kind == pipeline::content_kind::other) return false;
  resume_ = std::move(resume);
  if (!channel_) channel_ = &workers_.pick();  // every attempt of a page goes to one worker, in order
  page_ = std::make_shared<page_job>(kind, pipeline::charset_from_content_type(head.content_type), rules_);
  page_->keep_counts = what_.keep_counts;
  if (what_.links) {
    page_->links = std::make_shared<pipeline::html_links>();
    page_->doc.collect_links(page_->links.get());
    page_->obey_noindex = what_.obey_noindex;
    page_->resolve_links = what_.resolve_links;
  }
  buffer_.clear();
  expected_ = head.content_length;
  return true;
}

bool page_sink::on_body(std::string_view bytes) {
  if (draining_) {  // the worker is behind: hold the transfer
    paused_ = true;
    return false;
  }
  // A chunk starts at the size the server announced, up to a whole chunk:
  // growing it write by write copied most pages once more. Without an
  // announced size it grows as needed (most pages are far smaller than a chunk).
  if (buffer_.empty() && expected_ > 0)
    buffer_.reserve(static_cast<std::size_t>(std::min<std::int64_t>(expected_, chunk_bytes)));
  buffer_.append(bytes);
  if (expected_ > 0) expected_ -= std::min<std::int64_t>(expected_, static_cast<std::int64_t>(bytes.size()));
  if (buffer_.size() >= chunk_bytes) {
    send(text_chunk{page_, std::move(buffer_), text_chunk::action::data});
    buffer_ = std::string();
  }
  return true;
}

void page_sink::on_discard() {
  if (!page_) return;
  send(text_chunk{std::move(page_), {}, text_chunk::action::discard});
  page_.reset();
  buffer_.clear();
}

bool page_sink::commit(std::function<void(page_outcome)> on_done, std::string base_url) {
  if (!page_) return false;
  page_->on_done = std::move(on_done);
  page_->base_url = std::move(base_url);
  // The last bytes go with the commit: a page that fits in one chunk (most
  // do) is one hand-off to its worker, not two.
  send(text_chunk{std::move(page_), std::move(buffer_), text_chunk::action::commit});
  buffer_ = std::string();
  page_.reset();
  return true;
}

void page_sink::send(text_chunk chunk) {
  if (!draining_ && channel_->try_send(boost::system::error_code{}, std::move(chunk))) return;
  outbox_.push_back(std::move(chunk));
  if (!draining_) {
    draining_ = true;
    asio::co_spawn(network_, drain(shared_from_this()), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);  // a bug: out of the io_context, to the top
    });
  }
}

// Sends the outbox in order, waiting for room in the channel, then resumes
// the transfer if on_body() paused it meanwhile.
asio::awaitable<void> page_sink::drain([[maybe_unused]] std::shared_ptr<page_sink> self) {
  while (!outbox_.empty()) {
    text_chunk chunk = std::move(outbox_.front());
    outbox_.erase(outbox_.begin());
    auto [ec] = co_await channel_->async_send(boost::system::error_code{}, std::move(chunk),
                                              asio::as_tuple(asio::use_awaitable));
    if (ec) break;  // closed: the run is over
  }
  outbox_.clear();
  draining_ = false;
  if (paused_) {
    paused_ = false;
    if (resume_) resume_();
  }
}

}  // namespace crawl::app
