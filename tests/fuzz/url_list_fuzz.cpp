// The URL-list reader over any bytes: no crash, line numbers only grow, and
// every line that is neither a URL nor blank says why.
#include "crawl/crawler/url_list_reader.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  int fd = ::memfd_create("urls", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (::write(fd, bytes, size) != static_cast<ssize_t>(size)) std::abort();
  ::lseek(fd, 0, SEEK_SET);
  crawl::crawler::url_list_reader reader(fd);  // closes fd
  std::uint64_t last = 0;
  while (auto line = reader.next()) {
    if (line->line_no <= last) std::abort();
    last = line->line_no;
    if (!line->url && line->error.empty()) std::abort();
  }
  return 0;
}
