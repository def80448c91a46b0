#pragma once
// Reading one sitemap file (sitemaps.org protocol 0.9) as its bytes arrive:
// an XML <urlset> (its <url><loc> entries are pages), an XML <sitemapindex>
// (its <sitemap><loc> entries are more sitemaps), or a plain text file of
// one URL per line. The file may be gzip-compressed (it is recognised by its
// first bytes, whatever the name or Content-Type says). Only the locations
// are read; <lastmod>, <priority> and extensions (images, news) are not.
//
// Bounded as the protocol bounds a file: at most max_urls locations and
// max_bytes of uncompressed content; what is past either limit is ignored
// and said (`cut()`). Locations are collected until take() so that the
// caller can hand them on in batches; memory is the batch, not the file.
//
// XML is parsed by expat (streaming, entity expansion guarded against
// billion-laughs amplification); gzip by zlib. Pure: no I/O.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace crawl::crawler {

class sitemap_reader {
 public:
  static constexpr std::size_t max_urls = 50'000;
  static constexpr std::uint64_t max_bytes = 50ull << 20;  // 52,428,800: the protocol's 50 MB
  static constexpr std::size_t max_loc = 8 * 1024;         // a longer location is not a URL we fetch

  enum class kind { unknown, urlset, index, text };

  sitemap_reader();
  ~sitemap_reader();
  sitemap_reader(const sitemap_reader&) = delete;
  sitemap_reader& operator=(const sitemap_reader&) = delete;

  // The next bytes of the file as received. false: nothing more will be
  // read (an error, or a limit reached); the locations so far stand.
  bool feed(std::string_view bytes);
  // The file has ended. false when it is not a readable sitemap (`error()`).
  bool finish();

  kind what() const { return kind_; }
  // Locations found since the last take(), in file order (text as written,
  // entities decoded, surrounding white space trimmed).
  std::vector<std::string> take();
  std::uint64_t found() const { return found_; }
  // Why the file could not be read, naming the byte offset (of the
  // uncompressed content) where it went wrong.
  const std::string& error() const { return error_; }
  // Set when a limit cut the file short: what was read counts, the rest is ignored.
  const std::string& cut() const { return cut_; }

 private:
  struct xml;
  struct inflater;
  bool take_content(std::string_view bytes);
  bool decide(std::string_view bytes);
  bool text_lines(std::string_view bytes, bool last);
  void add(std::string_view loc);
  void limit(std::string why);

  std::unique_ptr<xml> xml_;
  std::unique_ptr<inflater> inflate_;
  bool started_ = false, stopped_ = false, overlong_line_ = false, bom_checked_ = false;
  std::string head_;     // up to 3 first bytes of content, while they may be a byte order mark
  kind kind_ = kind::unknown;
  std::uint64_t content_bytes_ = 0, found_ = 0;
  std::string pending_;  // text format: an unfinished line; gzip check: the first bytes
  std::vector<std::string> locs_;
  std::string error_, cut_;
  friend struct xml;
};

}  // namespace crawl::crawler
