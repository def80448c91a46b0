#include "test_http_server.hpp"

#include "compress.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <brotli/encode.h>
#include <iconv.h>

#include <ctime>
#include <istream>
#include <stdexcept>

namespace crawl::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

enum class delivery { normal, drip, reset, stall, short_body, chunked, no_body, delayed };

struct response {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string extra_headers;
  std::string body;
  delivery how = delivery::normal;
  int delay_ms = 100;  // for delivery::delayed and drip
};

std::string reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

std::string query_value(const std::string& query, const std::string& key, const std::string& fallback) {
  std::string needle = key + "=";
  auto at = query.find(needle);
  if (at == std::string::npos) return fallback;
  auto end = query.find('&', at);
  return query.substr(at + needle.size(), end == std::string::npos ? std::string::npos : end - at - needle.size());
}


std::string brotli(const std::string& in) {
  std::size_t size = BrotliEncoderMaxCompressedSize(in.size());
  std::string out(size, '\0');
  BrotliEncoderCompress(1, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, in.size(),
                        reinterpret_cast<const uint8_t*>(in.data()), &size, reinterpret_cast<uint8_t*>(out.data()));
  out.resize(size);
  return out;
}


std::string encode(const std::string& utf8, const char* charset) {
  iconv_t cd = iconv_open(charset, "UTF-8");
  std::string out(utf8.size() * 4 + 16, '\0');
  char* src = const_cast<char*>(utf8.data());
  std::size_t src_left = utf8.size();
  char* dst = out.data();
  std::size_t dst_left = out.size();
  iconv(cd, &src, &src_left, &dst, &dst_left);
  iconv_close(cd);
  out.resize(out.size() - dst_left);
  return out;
}

std::string http_date(std::time_t t) {
  char buf[64];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::string html(const std::string& body_text) {
  return "<!doctype html><html><head><title>t</title></head><body><p>" + body_text + "</p></body></html>";
}

std::string header_value(const std::string& request, const std::string& name) {
  std::string lower = request;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string needle = "\r\n" + name + ":";
  auto at = lower.find(needle);
  if (at == std::string::npos) return {};
  auto start = request.find_first_not_of(' ', at + needle.size());
  auto end = request.find("\r\n", start);
  return request.substr(start, end - start);
}

// Every route the tests use. `seen` is how many times this path was asked for, this one included.
response route(const std::string& path, const std::string& query, std::uint64_t seen, const std::string& request) {
  response r;
  auto starts = [&](const char* prefix) { return path.rfind(prefix, 0) == 0; };
  if (starts("/count/")) {
    unsigned n = static_cast<unsigned>(std::stoul(path.substr(7)));
    r.body = "<!doctype html><html><head><title>page</title><script>var hidden = 'script words';</script>"
             "</head><body><p>" + count_page_words(n) + "</p><!-- comment words --></body></html>";
  } else if (path.rfind("/etag/", 0) == 0) {  // validators; 304 when the client has them
    std::string etag = "\"v" + path.substr(6) + "\"";
    r.extra_headers = "ETag: " + etag + "\r\nLast-Modified: Wed, 01 May 2024 10:00:00 GMT\r\n";
    if (header_value(request, "if-none-match") == etag) {
      r.status = 304;
      r.how = delivery::no_body;
    } else {
      r.body = html("stable page " + path.substr(6) + " words");
    }
  } else if (path == "/unasked304") {  // "not modified", to a request that had no validators
    r.status = 304;
    r.how = delivery::no_body;
  } else if (path.rfind("/slow/", 0) == 0) {  // a page that takes 100 ms (or ?ms=N)
    r.body = html("slow page words");
    r.how = delivery::delayed;
    r.delay_ms = std::stoi(query_value(query, "ms", "100"));
  } else if (path == "/redirect") {
    r.status = 302;
    r.extra_headers = "Location: " + query_value(query, "to", "/count/1") + "\r\n";
  } else if (path == "/loop") {
    r.status = 302;
    r.extra_headers = "Location: /loop\r\n";
  } else if (path == "/to-file") {
    r.status = 302;
    r.extra_headers = "Location: file:///etc/passwd\r\n";
  } else if (starts("/status/")) {
    r.status = std::stoi(path.substr(8));
    r.body = html("error page words");
  } else if (starts("/retry-after/")) {  // 429 with Retry-After: 1 the first time, then a page
    if (seen == 1) {
      r.status = 429;
      r.extra_headers = "Retry-After: 1\r\n";
      r.body = html("slow down");
    } else {
      r.body = html("patience rewarded");
    }
  } else if (starts("/retry-date/")) {  // the same with an HTTP-date
    if (seen == 1) {
      r.status = 503;
      r.extra_headers = "Retry-After: " + http_date(std::time(nullptr) + 2) + "\r\n";
      r.body = html("come back later");
    } else {
      r.body = html("dated patience");
    }
  } else if (starts("/retry-later/")) {  // 503 asking for 500 s: more than crawl waits
    r.status = 503;
    r.extra_headers = "Retry-After: 500\r\n";
    r.body = html("far too long");
  } else if (starts("/flaky/")) {  // 503 the first time, then a page
    if (seen == 1) {
      r.status = 503;
      r.body = html("unavailable");
    } else {
      r.body = html("second time lucky");
    }
  } else if (starts("/always503/")) {
    r.status = 503;
    r.body = html("unavailable");
  } else if (path == "/drip") {  // 16 bytes every 20 ms (or ?ms=N)
    r.body = html(std::string(20, ' ') + "drip drop drip drop");
    r.how = delivery::drip;
    r.delay_ms = std::stoi(query_value(query, "ms", "20"));
  } else if (path == "/reset") {
    r.body = html("reset words never complete");
    r.how = delivery::reset;
  } else if (path == "/stall") {
    r.body = html("stalled words");
    r.how = delivery::stall;
  } else if (path == "/short") {  // Content-Length larger than the body
    r.body = html("short body");
    r.how = delivery::short_body;
  } else if (path == "/chunked") {
    r.body = html("chunked transfer encoding works");
    r.how = delivery::chunked;
  } else if (path == "/big") {
    std::size_t bytes = std::stoul(query_value(query, "bytes", "1000000"));
    r.content_type = "text/plain";
    r.body.reserve(bytes);
    while (r.body.size() + 5 <= bytes) r.body += "bulk ";
  } else if (path == "/gzip" || path == "/br" || path == "/zstd") {
    std::string plain = html("compressed " + path.substr(1) + " body");
    r.body = path == "/gzip" ? gzip_of(plain, 1) : path == "/br" ? brotli(plain) : zstd_of(plain, 1);
    r.extra_headers = "Content-Encoding: " + std::string(path == "/gzip" ? "gzip" : path == "/br" ? "br" : "zstd") + "\r\n";
  } else if (path == "/bomb") {  // 64 MiB of one letter in about 64 KiB of gzip
    r.content_type = "text/plain";
    r.body = gzip_of(std::string(64u << 20, 'a'), 1);
    r.extra_headers = "Content-Encoding: gzip\r\n";
  } else if (path == "/image") {
    r.content_type = "image/png";
    r.body = std::string("\x89PNG\r\n\x1a\n\0\0\0\0", 12);
  } else if (path == "/untyped-binary") {
    r.content_type.clear();
    r.body = std::string("\x7f" "ELF\0\0\0binary", 13);
  } else if (path == "/bad-utf8") {
    r.body = html("valid \xff\xfe broken \xc3 words \xed\xa0\x80 here");
  } else if (path == "/latin1") {
    r.content_type = "text/html; charset=ISO-8859-1";
    r.body = encode(html("caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9" "e"), "ISO-8859-1");
  } else if (path == "/meta-latin1") {
    r.content_type = "text/html";
    r.body = encode("<html><head><meta charset=\"windows-1252\"></head><body>na\xc3\xafve \xe2\x80\x9cquote\xe2\x80\x9d</body></html>", "WINDOWS-1252");
  } else if (path == "/sjis") {
    r.content_type = "text/html; charset=Shift_JIS";
    r.body = encode(html("\xe6\x9d\xb1\xe4\xba\xac tokyo"), "SHIFT_JIS");
  } else if (path == "/gbk") {
    r.content_type = "text/plain; charset=GBK";
    r.body = encode("\xe4\xb8\xad\xe6\x96\x87 zhongwen", "GBK");
  } else if (path == "/euc-kr") {
    r.content_type = "text/plain; charset=EUC-KR";
    r.body = encode("\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4 hangul", "EUC-KR");
  } else if (path == "/empty") {
    r.body.clear();
  } else {
    r.status = 404;
    r.body = html("not found");
  }
  return r;
}

std::string head_of(const response& r, std::size_t content_length, bool chunked) {
  std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_phrase(r.status) + "\r\n";
  if (!r.content_type.empty()) head += "Content-Type: " + r.content_type + "\r\n";
  head += r.extra_headers;
  head += chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + std::to_string(content_length) + "\r\n";
  return head + "\r\n";
}

// Sends `r`, appending every byte sent to `sent`; returns false when the
// connection must end.
asio::awaitable<bool> deliver(tcp::socket& socket, const response& r, std::string& sent) {
  asio::steady_timer timer(socket.get_executor());
  auto pause = [&](int ms) {
    timer.expires_after(std::chrono::milliseconds(ms));
    return timer.async_wait(asio::as_tuple(asio::use_awaitable));
  };
  auto send = [&](const std::string& bytes) {
    sent.append(bytes);
    return asio::async_write(socket, asio::buffer(bytes), asio::as_tuple(asio::use_awaitable));
  };
  switch (r.how) {
    case delivery::no_body: {
      std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_phrase(r.status) + "\r\n" +
                         r.extra_headers + "\r\n";
      auto [ec, n] = co_await send(head);
      co_return !ec;
    }
    case delivery::delayed: {
      co_await pause(r.delay_ms);
      auto [ec, n] = co_await send(head_of(r, r.body.size(), false) + r.body);
      co_return !ec;
    }
    case delivery::normal: {
      auto [ec, n] = co_await send(head_of(r, r.body.size(), false) + r.body);
      co_return !ec;
    }
    case delivery::chunked: {
      std::string out = head_of(r, 0, true);
      for (std::size_t i = 0; i < r.body.size(); i += 7) {
        std::string piece = r.body.substr(i, 7);
        char size[16];
        std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
        out += size + piece + "\r\n";
      }
      auto [ec, n] = co_await send(out + "0\r\n\r\n");
      co_return !ec;
    }
    case delivery::drip: {
      auto [ec, n] = co_await send(head_of(r, r.body.size(), false));
      for (std::size_t i = 0; i < r.body.size() && !ec; i += 16) {
        co_await pause(r.delay_ms);
        std::tie(ec, n) = co_await send(r.body.substr(i, 16));
      }
      co_return !ec;
    }
    case delivery::reset: {
      // The whole body, words and all, then a reset before the promised length.
      co_await send(head_of(r, r.body.size() * 10, false) + r.body);
      co_await pause(20);
      socket.set_option(asio::socket_base::linger(true, 0));  // close with RST
      boost::system::error_code ignored;
      socket.close(ignored);
      co_return false;
    }
    case delivery::stall: {
      co_await send(head_of(r, r.body.size(), false) + r.body.substr(0, 10));
      co_await pause(60'000);  // the client's timeout ends it first
      co_return false;
    }
    case delivery::short_body: {
      co_await send(head_of(r, r.body.size() + 100, false) + r.body);
      co_return false;  // close early
    }
  }
  co_return false;
}

asio::awaitable<void> serve(tcp::socket socket, test_http_server& server) {
  asio::streambuf buf;
  for (;;) {
    auto [ec, n] = co_await asio::async_read_until(socket, buf, "\r\n\r\n", asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    std::string request(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + static_cast<std::ptrdiff_t>(n));
    buf.consume(n);
    auto sp1 = request.find(' ');
    auto sp2 = request.find(' ', sp1 + 1);
    if (sp1 == std::string::npos || sp2 == std::string::npos) co_return;
    std::string target = request.substr(sp1 + 1, sp2 - sp1 - 1);
    if (target.rfind("http://", 0) == 0) {  // absolute form: asked as a forward proxy, it serves the page itself
      server.count_proxied();
      auto slash = target.find('/', 7);
      target = slash == std::string::npos ? "/" : target.substr(slash);
    }
    auto q = target.find('?');
    std::string path = target.substr(0, q);
    std::string query = q == std::string::npos ? "" : target.substr(q + 1);
    std::uint64_t seen = server.count_request(path, request);
    response r;
    if (auto fixed = server.fixed(path, seen)) {
      r.status = fixed->status;
      r.body = fixed->body;
      r.content_type = fixed->content_type;
      r.extra_headers = fixed->extra_headers;
    } else {
      r = route(path, query, seen, request);
    }
    server.begin_answer();
    std::string sent;
    bool keep = co_await deliver(socket, r, sent);
    server.end_answer();
    server.record_response(path, std::move(sent));
    if (!keep) co_return;
  }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, test_http_server& server) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), server), asio::detached);
  }
}

}  // namespace

std::string count_page_words(unsigned n) {
  std::string words;
  for (unsigned i = 0; i <= n % 5; ++i) words += "apple ";
  words += "Page" + std::to_string(n) + " &amp; <b>bold</b>";
  if (n % 3 == 0) words += " fizz";
  return words;
}

test_http_server::test_http_server(std::string address) : address_(std::move(address)) {
  acceptor_ = std::make_unique<tcp::acceptor>(io_, tcp::endpoint(asio::ip::make_address(address_), 0));
  acceptor_->listen(1024);
  port_ = acceptor_->local_endpoint().port();
  asio::co_spawn(io_, accept_loop(*acceptor_, *this), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

test_http_server::~test_http_server() {
  io_.stop();
  thread_.join();
  acceptor_.reset();
}

std::string test_http_server::url(const std::string& path) const {
  return "http://" + address_ + ":" + std::to_string(port_) + path;
}

void test_http_server::serve(const std::string& path, std::vector<fixed_response> answers) {
  std::lock_guard lock(mutex_);
  fixed_[path] = std::move(answers);
}

std::optional<test_http_server::fixed_response> test_http_server::fixed(const std::string& path,
                                                                       std::uint64_t seen) const {
  std::lock_guard lock(mutex_);
  auto it = fixed_.find(path);
  if (it == fixed_.end() || it->second.empty()) return std::nullopt;
  return it->second[std::min<std::size_t>(seen, it->second.size()) - 1];
}

std::vector<test_http_server::logged_request> test_http_server::request_log() const {
  std::lock_guard lock(mutex_);
  return log_;
}

std::uint64_t test_http_server::count_request(const std::string& path, const std::string& request) {
  ++total_;
  std::lock_guard lock(mutex_);
  times_[path].push_back(std::chrono::steady_clock::now());
  log_.push_back({times_[path].back(), path});
  last_request_[path] = request;
  return ++per_path_[path];
}

void test_http_server::begin_answer() {
  std::uint64_t now = ++active_;
  std::uint64_t seen = max_active_.load();
  while (now > seen && !max_active_.compare_exchange_weak(seen, now)) {
  }
}

void test_http_server::record_response(const std::string& path, std::string bytes) {
  std::lock_guard lock(mutex_);
  last_response_[path] = std::move(bytes);
}

std::string test_http_server::last_response(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto it = last_response_.find(path);
  return it == last_response_.end() ? std::string() : it->second;
}

std::string test_http_server::last_request(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto it = last_request_.find(path);
  return it == last_request_.end() ? std::string() : it->second;
}

std::vector<std::chrono::steady_clock::time_point> test_http_server::request_times(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto it = times_.find(path);
  return it == times_.end() ? std::vector<std::chrono::steady_clock::time_point>{} : it->second;
}

std::uint64_t test_http_server::requests(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto it = per_path_.find(path);
  return it == per_path_.end() ? 0 : it->second;
}

test_http_server& shared_test_server() {
  static test_http_server s;
  return s;
}

unsigned short refused_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

}  // namespace crawl::test
