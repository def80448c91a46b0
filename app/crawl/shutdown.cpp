#include "shutdown.hpp"

#include "diagnostics.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>
#include <cstring>
#include <string>

namespace crawl::app {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
using clock = std::chrono::steady_clock;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// A note of the run ending as asked (a signal, --deadline): -q hides it, as it hides the summary.
void warn_stopping(const std::string& why, const shutdown_options& o, const stoppable& run) {
  if (o.quiet) return;
  log_line("info", why + ": letting " + std::to_string(run.transfers_in_flight()) + " transfers finish (up to " +
                          std::to_string(o.grace.count()) + " ms); a second signal stops now");
}

}  // namespace

asio::awaitable<void> watch_for_shutdown(shutdown_options o, stoppable& run) {
  auto executor = co_await asio::this_coro::executor;
  asio::signal_set signals(executor, SIGINT, SIGTERM);
  asio::steady_timer deadline(executor, o.deadline ? clock::now() + *o.deadline : clock::time_point::max());

  // 1. Until a signal or the deadline (or the crawl ends, which cancels this).
  auto first = co_await (signals.async_wait(tuple_awaitable) || deadline.async_wait(tuple_awaitable));
  if (first.index() == 0) {
    auto [ec, signo] = std::get<0>(first);
    if (ec) co_return;
    run.stop_starting(stop_cause::signal);
    warn_stopping(strsignal(signo), o, run);
  } else {
    auto [ec] = std::get<1>(first);
    if (ec) co_return;
    run.stop_starting(stop_cause::deadline);
    warn_stopping("--deadline reached", o, run);
  }

  // 2. The grace, cut short by another signal.
  asio::steady_timer grace(executor, o.grace);
  auto second = co_await (grace.async_wait(tuple_awaitable) || signals.async_wait(tuple_awaitable));
  auto cancelled = std::visit([](const auto& outcome) { return static_cast<bool>(std::get<0>(outcome)); }, second);
  if (cancelled) co_return;
  run.abort_in_flight();

  // 3. Aborted transfers come back at once; any further signal aborts again.
  for (;;) {
    auto [ec, signo] = co_await signals.async_wait(tuple_awaitable);
    if (ec) co_return;
    run.abort_in_flight();
  }
}

}  // namespace crawl::app
