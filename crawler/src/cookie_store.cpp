#include "crawl/crawler/cookie_store.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

namespace crawl::crawler {

namespace {
struct easy_deleter {
  void operator()(CURL* e) const { curl_easy_cleanup(e); }
};
using easy_handle = std::unique_ptr<CURL, easy_deleter>;

// An easy handle that only reaches the shared cookies.
easy_handle on_share(CURLSH* share) {
  easy_handle e(curl_easy_init());
  if (e) curl_easy_setopt(e.get(), CURLOPT_SHARE, share);
  return e;
}
}  // namespace

void cookie_store::lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
  static_cast<cookie_store*>(self)->locks_[data % lock_count].lock();
}

void cookie_store::unlock(CURL*, curl_lock_data data, void* self) {
  static_cast<cookie_store*>(self)->locks_[data % lock_count].unlock();
}

cookie_store::cookie_store() : share_(curl_share_init()) {
  // It replaces the loops' own shares (an easy handle has one), so it shares
  // what they share too (not DNS: see multi_loop). The loops of several
  // network threads use it: libcurl takes these locks around each use.
  curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &cookie_store::lock);
  curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &cookie_store::unlock);
  curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

cookie_store::~cookie_store() { curl_share_cleanup(share_); }

bool cookie_store::load(const std::string& path, std::string& error) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found) return true;  // a jar not written yet
  if (status.type() != std::filesystem::file_type::regular) {
    error = path + ": not a regular file";
    return false;
  }
  std::ifstream in(path);
  if (!in) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  easy_handle e = on_share(share_);
  // RELOAD reads the files named by CURLOPT_COOKIEFILE into the shared jar now.
  if (!e || curl_easy_setopt(e.get(), CURLOPT_COOKIEFILE, path.c_str()) != CURLE_OK ||
      curl_easy_setopt(e.get(), CURLOPT_COOKIELIST, "RELOAD") != CURLE_OK) {
    error = path + ": libcurl could not read it";
    return false;
  }
  return true;
}

bool cookie_store::save(const std::string& path, std::string& error) {
  std::string beside = path + ".tmp";
  {
    easy_handle e = on_share(share_);
    if (!e || curl_easy_setopt(e.get(), CURLOPT_COOKIEJAR, beside.c_str()) != CURLE_OK ||
        curl_easy_setopt(e.get(), CURLOPT_COOKIELIST, "FLUSH") != CURLE_OK) {
      error = path + ": libcurl could not write it";
      return false;
    }
  }
  std::ifstream written(beside);
  if (!written) {  // libcurl writes nothing for an empty jar
    std::ofstream empty(beside);
    empty << "# Netscape HTTP Cookie File\n";
    if (!empty) {
      error = beside + ": " + std::strerror(errno);
      return false;
    }
  }
  if (std::rename(beside.c_str(), path.c_str()) != 0) {
    error = path + ": " + std::strerror(errno);
    std::remove(beside.c_str());
    return false;
  }
  return true;
}

}  // namespace crawl::crawler
