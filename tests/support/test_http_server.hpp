#pragma once
// A real HTTP/1.1 server on 127.0.0.1 for the tests, with faults on demand.
// It runs on its own thread; every route is listed in route() in the .cpp.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace crawl::test {

class test_http_server {
 public:
  // `address`: any 127/8 address (distinct hosts for one test).
  explicit test_http_server(std::string address = "127.0.0.1");
  ~test_http_server();
  test_http_server(const test_http_server&) = delete;
  test_http_server& operator=(const test_http_server&) = delete;

  unsigned short port() const { return port_; }
  const std::string& address() const { return address_; }
  std::string url(const std::string& path) const;
  // Requests seen for a path (without the query), and in all.
  std::uint64_t requests(const std::string& path) const;
  // The head of the last request for a path, as received.
  std::string last_request(const std::string& path) const;
  // Every byte of the last response sent for a path.
  std::string last_response(const std::string& path) const;
  // The most requests being answered at once since the server started.
  std::uint64_t max_in_progress() const { return max_active_.load(); }
  // When each request for a path arrived, in order.
  std::vector<std::chrono::steady_clock::time_point> request_times(const std::string& path) const;
  std::uint64_t total_requests() const { return total_.load(); }
  // Every request, in the order it arrived: when, and for which path.
  struct logged_request {
    std::chrono::steady_clock::time_point at;
    std::string path;
  };
  std::vector<logged_request> request_log() const;
  // Requests in absolute form (the server asked as an HTTP proxy).
  std::uint64_t proxied_requests() const { return proxied_.load(); }

  // Answers `path` with these in turn (the last one from then on), instead
  // of its route: a robots.txt of a test's own, a 503 then a 200, ...
  struct fixed_response {
    fixed_response(int s = 200, std::string b = {}, std::string type = "text/plain", std::string headers = {})
        : status(s), body(std::move(b)), content_type(std::move(type)), extra_headers(std::move(headers)) {}
    int status;
    std::string body;
    std::string content_type;
    std::string extra_headers;  // "Name: value\r\n" lines
  };
  void serve(const std::string& path, std::vector<fixed_response> answers);
  std::optional<fixed_response> fixed(const std::string& path, std::uint64_t seen) const;

  // Pieces the route handlers share; public for the handlers in the .cpp.
  std::uint64_t count_request(const std::string& path, const std::string& request);
  void begin_answer();
  void end_answer() { --active_; }
  void count_proxied() { ++proxied_; }
  void record_response(const std::string& path, std::string bytes);

 private:
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::string address_;
  unsigned short port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> per_path_;
  std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> times_;
  std::atomic<std::uint64_t> total_{0};
  std::atomic<std::uint64_t> active_{0}, max_active_{0}, proxied_{0};
  std::map<std::string, std::string> last_request_, last_response_;
  std::vector<logged_request> log_;
  std::map<std::string, std::vector<fixed_response>> fixed_;
};

// One server for all the tests of a binary, started on first use.
test_http_server& shared_test_server();

// A TCP port on 127.0.0.1 that nothing listens on (bound, then closed).
unsigned short refused_port();

// The words of the generated page /count/N, for checking sums exactly.
std::string count_page_words(unsigned n);

}  // namespace crawl::test
