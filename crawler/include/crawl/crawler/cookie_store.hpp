#pragma once
// --cookies: libcurl's cookie engine, in memory for the run and shared by
// every transfer (a share handle: each transfer has its own easy handle, and
// an easy handle's own cookies would die with it). --cookie-jar FILE loads
// the file first (Netscape format, as curl and wget write it; a missing file
// is an empty jar) and saves the jar to it at the end, atomically. Cookies
// go only where their Domain and Path say (libcurl's rules). Used by the
// network threads (the share locks); load() and save() before and after
// the transfers.
#include <curl/curl.h>

#include <array>
#include <mutex>
#include <string>

namespace crawl::crawler {

class cookie_store {
 public:
  cookie_store();
  ~cookie_store();
  cookie_store(const cookie_store&) = delete;
  cookie_store& operator=(const cookie_store&) = delete;

  // For multi_loop_pool::use_share(), with request_options::cookies set.
  CURLSH* share() const { return share_; }
  // Loads the cookies of a Netscape cookie file. false: it exists and cannot be read (`error`).
  bool load(const std::string& path, std::string& error);
  // Writes every cookie to `path` (beside it first, then renamed). false: `error`.
  bool save(const std::string& path, std::string& error);

 private:
  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* self);
  static void unlock(CURL*, curl_lock_data data, void* self);
  static constexpr std::size_t lock_count = CURL_LOCK_DATA_LAST;

  std::array<std::mutex, lock_count> locks_;
  CURLSH* share_;
};

}  // namespace crawl::crawler
