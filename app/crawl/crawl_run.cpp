#include "crawl_run.hpp"

#include "diagnostics.hpp"


#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace crawl::app {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
using clock = std::chrono::steady_clock;

namespace {

crawler::request_options request_options_from(const config::crawl_settings& s, std::size_t concurrency) {
  crawler::request_options o;
  o.receive_buffer = crawler::receive_buffer_for(concurrency);
  o.connect_timeout = s.connect_timeout;
  o.timeout = s.timeout;
  o.low_speed_limit = s.low_speed_limit;
  o.low_speed_time = s.low_speed_time;
  o.max_redirects = s.max_redirects;
  o.max_size = s.max_size;
  o.user_agent = s.user_agent;
  o.headers = s.headers;
  o.insecure = s.insecure;
  o.cacert = s.cacert;
  o.proxy = s.proxy;
  o.verbose = s.verbose;
  o.capture_raw = !s.warc.empty();
  o.deny_private = s.deny_private;
  o.resolve = s.resolve;
  return o;
}

std::string describe(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace

std::optional<crawler::robots_record> state_robots_memory::recall(const std::string& origin) {
  auto row = state_.robots(origin);
  if (!row) return std::nullopt;
  return crawler::robots_record{row->status, std::move(row->text), row->fetched_at, row->failing_since,
                                std::move(row->failure)};
}

void state_robots_memory::remember(const std::string& origin, const crawler::robots_record& record) {
  std::string error;
  storage::robots_row row{origin, record.status, record.text, record.fetched_at, record.failing_since, record.failure};
  if (!state_.put_robots(row, error) && !failed_) {
    failed_ = true;
    log_line("warning", error + ": robots.txt files are not kept for the next run");
  }
}

namespace {
crawler::shard shard_of(const config::crawl_settings& s) {
  return s.shard.set() ? crawler::shard{s.shard.index, s.shard.count} : crawler::shard{};
}
}  // namespace

crawl_run::crawl_run(const config::crawl_settings& s, std::size_t concurrency, unsigned threads, crawl_inputs inputs,
                     asio::io_context& net, run_targets targets)
    : s_(s),
      state_(targets.state),
      ledger_(s, targets, std::move(inputs.names)),
      net_(net),
      loops_(net.get_executor(), concurrency, threads),
      workers_(threads, net, [this](std::exception_ptr e) { fail_internally(e); }),
      feed_(std::move(inputs.sources), net.get_executor(), shard_of(s), s.follow),
      scheduler_(concurrency, s.per_host, std::max<std::size_t>(concurrency * 2, 1024),
                 crawler::politeness{s.delay, s.rate, s.back_off}),
      request_(request_options_from(s, concurrency)),
      rules_(std::make_shared<const pipeline::token_rules>(pipeline::tokenizer_options{
          s.keep_numbers, s.token,
          s.segment_chars ? pipeline::segmentation::character : pipeline::segmentation::icu})),
      wake_(net.get_executor()),
      due_(net),
      room_(net.get_executor()),
      retry_stop_(net, clock::time_point::max()),
      progress_(progress_wanted(s.quiet)) {
  if (targets.cookies) {
    request_.cookies = true;
    loops_.use_share(targets.cookies->share());
  }
  retry_.retries = s.retries;
  retry_.base_delay = s.retry_delay;
  if (s.follow && targets.frontier) follow_.emplace(s, *targets.frontier, targets.links_out);
  if (s.robots) {
    crawler::robots_cache::options o;
    o.product = crawler::product_token_of(s.user_agent);
    o.unreachable = std::chrono::duration_cast<std::chrono::seconds>(s.robots_unreachable);
    o.signals = [this](const std::string& host) { return politeness_signals(host); };
    if (state_) o.memory = &robots_memory_.emplace(*state_);
    robots_.emplace(loops_, request_, retry_, retry_stop_, o);
  } else {
    log_line("warning", "robots.txt is ignored (--robots ignore): this crawl may fetch what sites ask crawlers not to");
  }
  if (s.sitemaps && follow_) {
    std::function<void(std::vector<skipped_link>&)> report;
    if (ledger_.wants_results()) report = [this](std::vector<skipped_link>& links) { report_skipped(links); };
    sitemaps_.emplace(sitemap_walker::context{loops_, request_, retry_, retry_stop_, robots_ ? &*robots_ : nullptr,
                                              scheduler_, *follow_, [this] { room_.notify(); },
                                              [this](const std::string& host) { return politeness_signals(host); },
                                              std::move(report)});
  }
  list_size_ = inputs.list_bytes;
}

asio::awaitable<void> crawl_run::run() {
  started_ = clock::now();
  shutdown_options stop{s_.grace, s_.deadline, s_.quiet};
  if (progress_)
    co_await ((read_list() && drive()) || watch_for_shutdown(stop, *this) || show_progress());
  else
    co_await ((read_list() && drive()) || watch_for_shutdown(stop, *this));
  workers_.close();
  feed_.stop();
  clear_progress();
}

run_stats crawl_run::finish() {
  loops_.join();
  workers_.join();
  pipeline::word_counts totals = workers_.take_totals();
  totals.merge(ledger_.restored());
  run_stats& stats = ledger_.stats();
  stats.words = totals.total();
  stats.distinct_words = totals.distinct();
  stats.unfinished += scheduler_.waiting();
  stats.wall = clock::now() - started_;
  for (auto& [host, figures] : stats.hosts) figures.gap_s = static_cast<double>(scheduler_.gap(host).count()) / 1000.0;
  stats.back_offs = scheduler_.back_offs();
  if (follow_) {
    stats.following = true;
    stats.links_found = follow_->links_found();
    stats.links_queued = follow_->links_queued();
    stats.links_not_followed = follow_->not_followed();
  }
  if (sitemaps_) {
    stats.reading_sitemaps = true;
    stats.sitemaps = sitemaps_->figures();
  }
  totals_ = std::move(totals);
  return std::move(stats);
}

// Takes batches of lines from the feed while the scheduler has room.
asio::awaitable<void> crawl_run::read_list() {
  while (!stopping_) {
    if (!scheduler_.wants_more()) {
      co_await room_.wait();
      continue;
    }
    auto batch = co_await feed_.next();
    if (!batch) break;
    take(*batch);
    wake_.notify();
  }
  if (follow_) co_await read_frontier();
  input_done_ = true;
  wake_.notify();
}

asio::awaitable<void> crawl_run::read_frontier() {
  while (!stopping_) {
    if (!scheduler_.wants_more()) {
      co_await room_.wait();
      continue;
    }
    std::string error;
    auto urls = follow_->next(crawler::url_batch_size, error);
    if (!error.empty()) {
      ledger_.state_write_failed(error);
      stop_reading();
      break;
    }
    if (urls.empty()) {
      // Pages in flight may still find links; with none, the crawl is complete.
      bool busy = !scheduler_.idle() || fetching_ > 0 || pending_commits_ > 0 || reading_sitemaps_ > 0;
      if (!busy && (follow_->exhausted() || follow_->at_max_pages())) break;
      co_await room_.wait();
      continue;
    }
    for (auto& url : urls) scheduler_.add(std::move(url));
    wake_.notify();
  }
}

// The driver: starts what may start and waits for the next event, until
// every URL taken has ended.
asio::awaitable<void> crawl_run::drive() {
  for (;;) {
    bool started = false;
    while (!stopping_) {
      auto url = scheduler_.next();
      if (!url) break;
      start(std::move(*url));
      started = true;
    }
    if (started) room_.notify();
    if (finished()) break;
    co_await wait_for_event();
  }
}

// A URL ended, lines arrived, or a host's politeness gap is over.
asio::awaitable<void> crawl_run::wait_for_event() {
  auto due = stopping_ ? std::nullopt : scheduler_.next_due();
  if (!due) co_return co_await wake_.wait();
  due_.expires_at(*due);
  co_await (wake_.wait() || due_.async_wait(asio::as_tuple(asio::use_awaitable)));
}

bool crawl_run::finished() const {
  if (!input_done_ && !stopping_) return false;
  if (!stopping_ && scheduler_.waiting() > 0) return false;  // URLs waiting out a host's gap
  // After an internal error a page's commit may never come back.
  return fetching_ == 0 && reading_sitemaps_ == 0 && (pending_commits_ == 0 || internal_error_);
}

void crawl_run::take(crawler::url_batch& batch) {
  ledger_.count_lines(batch);
  list_offset_ = batch.list_offset;
  if (follow_)
    for (const auto& other : batch.others) follow_->scope_seed(other);
  for (auto& line : batch.lines) {
    if (!line.url) continue;
    if (sitemaps_ && sitemaps_->first_seen(*line.url)) read_sitemaps(*line.url);
    if (follow_ && !follow_->seed(*line.url)) {  // the frontier knew it: found by an earlier run, or twice
      ++ledger_.stats().duplicates;
      continue;
    }
    crawler::scheduled_url url;
    url.url = std::move(*line.url);
    url.line_no = line.line_no;
    scheduler_.add(std::move(url));
  }
}

// Every URL's coroutine is started here, with a completion handler that
// records an escaped exception instead of leaving the driver waiting.
void crawl_run::start(crawler::scheduled_url url) {
  ++fetching_;
  asio::co_spawn(net_, fetch_one(std::move(url)), [this](std::exception_ptr e) {
    --fetching_;
    if (e) fail_internally(e);
    wake_.notify();
  });
}

void crawl_run::read_sitemaps(const crawler::normalized_url& seed) {
  ++reading_sitemaps_;
  auto read = [](crawl_run& run, crawler::normalized_url seed) -> asio::awaitable<void> {
    std::string error;
    if (!co_await run.sitemaps_->read_site(std::move(seed), error)) {
      run.ledger_.state_write_failed(error);
      run.stop_reading();
    }
  };
  asio::co_spawn(net_, read(*this, seed), [this](std::exception_ptr e) {
    --reading_sitemaps_;
    if (e) fail_internally(e);
    room_.notify();
    wake_.notify();
  });
}

void crawl_run::report_skipped(std::vector<skipped_link>& links) {
  for (const auto& link : links) ledger_.record_skipped_link(link);
  links.clear();
}

void crawl_run::stop_reading() {
  if (stopping_) return;
  stopping_ = true;
  feed_.stop();
  room_.notify();
  retry_stop_.expires_at(clock::time_point::min());  // ends retry waits; no new attempts
  loops_.stop_retries();                             // and the lanes' own
  wake_.notify();
}

void crawl_run::stop_starting(stop_cause cause) {
  ledger_.stats().interrupted = true;
  if (cause == stop_cause::deadline) ledger_.stats().deadline_reached = true;
  stop_reading();
}

void crawl_run::abort_in_flight() { loops_.abort_all(); }

void crawl_run::fail_internally(std::exception_ptr e) {
  log_line("error", "internal error: " + describe(e));
  if (!internal_error_) internal_error_ = e;
  stop_reading();
  abort_in_flight();
  wake_.notify();
}

asio::awaitable<void> crawl_run::fetch_one(crawler::scheduled_url url) {
#ifdef CRAWL_FAULT_INJECTION
  // Test builds only: a URL containing this text throws, as a bug would.
  if (const char* marker = std::getenv("CRAWL_FAULT_THROW_IN_FETCH");
      marker && *marker && url.url.url.find(marker) != std::string::npos)
    throw std::runtime_error("injected fault in fetch_one for " + url.url.url);
#endif
  // Locals here live in the coroutine's frame for the whole transfer, once
  // per URL in flight: what is needed only before or after it is made in
  // plain functions (finished_before, make_sink, end_transfer), off the frame.
  std::unique_ptr<const earlier_fetch> earlier;
  if (state_ && finished_before(url, earlier)) co_return;
  if (robots_ && !co_await obey_robots(url)) co_return;
  auto lane = lane_for(url.url.host);
  auto sink = make_sink(url, lane);
  crawler::attempt_observer observe = politeness_signals(url.url.host, lane);
  // Counted from here: the page may reach its worker, and its report come
  // back, before this coroutine hears that the transfer ended.
  ++pending_commits_;
  const crawler::validators* validators = earlier ? &earlier->known : nullptr;
  auto t0 = clock::now();
  transferred t;
  if (lane.executor == net_.get_executor()) {  // on this thread: no coroutines in between
    t.result = co_await crawler::fetch(lane.loop, url.url, request_, retry_, *sink, lane.stop, validators, observe);
    t.elapsed = clock::now() - t0;
    hand_over(url, *sink, t);
  } else {
    t = co_await asio::co_spawn(lane.executor, transfer(lane, url, std::move(sink), validators, observe, t0),
                                asio::use_awaitable);
  }
  end_transfer(url, t, earlier.get());
}

// With --state: true when the interrupted run this one resumes finished the
// URL (it is finished here from what was stored); else, when the last run
// stored validators of a good page, what it stored, for a conditional request.
bool crawl_run::finished_before(const crawler::scheduled_url& url, std::unique_ptr<const earlier_fetch>& earlier) {
  bool done_before = false;
  std::optional<storage::page_record> stored = state_->get(url.url.url, done_before);
  if (done_before) {
    finish_from_state(url, *stored);
    return true;
  }
  bool conditional = stored && !s_.refresh && !stored->failed && stored->status == 200 &&
                     (!stored->etag.empty() || !stored->last_modified.empty());
  if (!conditional) return false;
  auto e = std::make_unique<earlier_fetch>();
  e->known = crawler::validators{stored->etag, stored->last_modified};
  e->stored = std::move(*stored);
  earlier = std::move(e);
  return false;
}

std::shared_ptr<page_sink> crawl_run::make_sink(const crawler::scheduled_url& url,
                                                const crawler::multi_loop_pool::lane_ref& lane) {
  return std::make_shared<page_sink>(workers_, rules_, lane.executor,
                                     page_sink::reading{state_ != nullptr, follow_.has_value(), !s_.ignore_nofollow,
                                                        follow_ && follow_->wants_links_of(url.depth, ledger_.wants_results())});
}

// After the transfer, on the driver's thread: a page handed to a worker is
// finished by its report; any other URL here.
void crawl_run::end_transfer(const crawler::scheduled_url& url, transferred& t, const earlier_fetch* earlier) {
  crawler::fetch_result& r = t.result;
  ledger_.archive(url.url, r);
  if (t.counting) return;
  --pending_commits_;  // failed, or an empty body: nothing to count
  page_outcome outcome;
  if (r.status == crawler::fetch_status::not_modified) {
    // Unchanged since the last run: its stored counts stand for it.
    outcome = ledger_.reuse(earlier->stored);
    if (r.etag.empty()) r.etag = earlier->stored.etag;
    if (r.last_modified.empty()) r.last_modified = earlier->stored.last_modified;
  }
  finish_url(url, r, t.elapsed, outcome, true);
}

// On the host's lane, another thread: the fetch and its hand-over. The
// worker reports to the driver's thread. Reads only what no one changes
// during the run (request_, retry_).
asio::awaitable<crawl_run::transferred> crawl_run::transfer(crawler::multi_loop_pool::lane_ref lane,
                                                            const crawler::scheduled_url& url,
                                                            std::shared_ptr<page_sink> sink,
                                                            const crawler::validators* known,
                                                            const crawler::attempt_observer& observe,
                                                            clock::time_point t0) {
  transferred t;
  t.result = co_await crawler::fetch(lane.loop, url.url, request_, retry_, *sink, lane.stop, known, observe);
  t.elapsed = clock::now() - t0;
  hand_over(url, *sink, t);
  co_return t;
}

// After the fetch, on its lane: the page goes to its worker (the URL keeps
// its slots until its words are counted: when the workers fall behind, fewer
// transfers start, instead of pages piling up), or is dropped.
void crawl_run::hand_over(const crawler::scheduled_url& url, page_sink& sink, transferred& t) {
  if (t.result.status != crawler::fetch_status::ok) {
    sink.discard();
    return;
  }
  const std::string& base = t.result.final_url.empty() ? url.url.url : t.result.final_url;
  t.counting = sink.commit(
      [this, url, r = t.result, elapsed = t.elapsed](page_outcome outcome) {
        --pending_commits_;
        finish_url(url, r, elapsed, outcome, true);
      },
      base);
}

asio::awaitable<bool> crawl_run::obey_robots(const crawler::scheduled_url& url) {
  crawler::robots_verdict v = co_await robots_->check(url.url);
  if (v.crawl_delay && *v.crawl_delay > s_.max_crawl_delay) {
    finish_unfetched(url, crawler::fetch_status::skipped, "crawl-delay",
                     "robots.txt asks a Crawl-delay of " + std::to_string(v.crawl_delay->count() / 1000.0) +
                         " s, more than --max-crawl-delay");
    co_return false;
  }
  if (v.crawl_delay) scheduler_.set_crawl_delay(url.url.host, *v.crawl_delay);
  if (!v.allowed) {
    // Unavailable is not a verdict on the URL: it fails, and a later run tries again.
    // A site given up (robots-unreachable) is skipped: later runs do not try it again within the day.
    auto status = v.reason == "robots" || v.reason == "robots-unreachable" ? crawler::fetch_status::skipped
                                                                           : crawler::fetch_status::failed;
    finish_unfetched(url, status, v.reason, v.detail);
    co_return false;
  }
  if (v.waited) {
    // The robots.txt request used this URL's turn: the page waits for a new one.
    asio::steady_timer turn(net_, scheduler_.reserve(url.url.host, clock::now()));
    co_await (turn.async_wait(asio::as_tuple(asio::use_awaitable)) ||
              retry_stop_.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (stopping_) {
      finish_unfetched(url, crawler::fetch_status::interrupted, "interrupted", "the run was stopped");
      co_return false;
    }
  }
  co_return true;
}

void crawl_run::finish_unfetched(const crawler::scheduled_url& url, crawler::fetch_status status,
                                 const std::string& reason, const std::string& detail) {
  crawler::fetch_result r;
  r.status = status;
  r.reason = reason;
  r.error = detail;
  finish_url(url, r, clock::duration::zero(), page_outcome{}, true);
}

// Which lane a page's transfer runs on. Hosts stay on lane 0, the driver's
// own thread, until `spread_hosts` hosts are active at once; from then on
// (for the rest of the run) each goes to its own lane. Measured on 2 cores,
// nginx on loopback: 200,000 URLs on as many hosts (all refused) took 16.9 s
// on one thread and 10.5 s spread over two; 20,000 pages of one host took
// 2.25 s with its transfers on the driver's thread and 2.65 s on another
// (hand-offs between threads, and one more busy thread than cores with the
// two text workers). A host that moves when the run spreads loses only its
// idle connections; its politeness and robots.txt state live with the
// driver either way.
crawler::multi_loop_pool::lane_ref crawl_run::lane_for(const std::string& host) {
  if (!spread_ && loops_.lanes() > 1 && scheduler_.hosts() >= spread_hosts) spread_ = true;
  return spread_ ? loops_.lane_for(host) : loops_.home_lane(host);
}

// The same, heard on a lane's thread and passed to the driver's.
crawler::attempt_observer crawl_run::politeness_signals(const std::string& host,
                                                        const crawler::multi_loop_pool::lane_ref& lane) {
  crawler::attempt_observer direct = politeness_signals(host);
  if (lane.executor == net_.get_executor()) return direct;
  return [net = net_.get_executor(), direct](const crawler::attempt_signal& signal) {
    asio::post(net, [direct, signal] { direct(signal); });
  };
}

// Each attempt's answer slows its host down (429, 503, a timeout; a
// Retry-After pauses the whole host) or lets it recover.
crawler::attempt_observer crawl_run::politeness_signals(const std::string& host) {
  return [this, host](const crawler::attempt_signal& signal) {
    if (signal.sent) return scheduler_.sent(host, clock::now());
    if (!signal.overloaded) return scheduler_.answered(host);
    std::optional<std::chrono::milliseconds> pause;
    if (signal.retry_after > 0)
      pause = std::chrono::milliseconds(std::min<std::int64_t>(signal.retry_after, retry_.max_retry_after.count()) * 1000);
    scheduler_.overloaded(host, clock::now(), pause);
  };
}

void crawl_run::finish_from_state(const crawler::scheduled_url& url, const storage::page_record& stored) {
  page_outcome outcome = ledger_.reuse(stored);
  outcome.counts.clear();
  crawler::fetch_result r;
  r.status = stored.failed ? crawler::fetch_status::failed : crawler::fetch_status::ok;
  r.http_status = stored.status;
  if (stored.failed) {
    r.reason = "failed before the resume";
    r.error = "failed in the interrupted run";
  }
  ++ledger_.stats().resumed_done;
  finish_url(url, r, clock::duration::zero(), outcome, false);
}

// A URL is done: its slots go back, its outcome is stored (unless it came
// from the state already) and counted, and the driver looks again.
void crawl_run::finish_url(const crawler::scheduled_url& url, const crawler::fetch_result& r,
                           clock::duration elapsed, const page_outcome& outcome, bool store) {
  scheduler_.done(url.url.host);
  // A page's links are queued before it is recorded as done: a crawl killed
  // in between fetches the page again rather than lose its links.
  if (follow_ && outcome.links && r.status == crawler::fetch_status::ok) {
    std::string error;
    std::vector<skipped_link> skipped;  // asked for only when --results reports them
    bool queued = follow_->page_done(url, r.final_url, *outcome.links, outcome.resolved.get(),
                                     ledger_.wants_results() ? &skipped : nullptr, error);
    report_skipped(skipped);
    if (!queued) {
      ledger_.state_write_failed(error);
      stop_reading();
      store = false;
    }
  }
  if (store && !ledger_.remember(url.url, r, outcome)) stop_reading();
  ledger_.record(url, r, elapsed, outcome);
  // The frontier is not told: a resumed crawl goes through every URL it
  // knows anyway (the done ones answered by the state), and a new one clears it.
  if (follow_) room_.notify();  // the frontier may have more, or be done
  wake_.notify();
}


asio::awaitable<void> crawl_run::show_progress() {
  asio::steady_timer timer(net_);
  for (;;) {
    timer.expires_after(std::chrono::milliseconds(250));
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    const run_stats& stats = ledger_.stats();
    progress_numbers n;
    n.done = stats.done();
    n.lines_read = stats.lines_read;
    n.list_offset = list_offset_;
    n.list_size = list_size_;
    n.seconds = std::chrono::duration<double>(clock::now() - started_).count();
    n.bytes = stats.bytes;
    n.in_flight = scheduler_.in_flight();
    n.errors = stats.failed + stats.bad_lines;
    n.waiting = scheduler_.waiting();
    n.hosts = scheduler_.hosts();
    n.queued = follow_ ? follow_->queued() : 0;
    app::show_progress(format_progress(n));
  }
}

}  // namespace crawl::app
