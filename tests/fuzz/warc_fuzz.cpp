// The WARC reader over any bytes: no crash, bounded records, and a damaged
// record is an error it goes on after (it always ends).
#include "crawl/storage/warc.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  int fd = ::memfd_create("warc", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (::write(fd, bytes, size) != static_cast<ssize_t>(size)) std::abort();
  std::string path = "/proc/self/fd/" + std::to_string(fd), error;
  auto reader = crawl::storage::warc_reader::open(path, error, 1 << 16);
  ::close(fd);
  if (!reader) return 0;
  crawl::storage::warc_record record;
  for (std::size_t steps = 0;; ++steps) {
    if (steps > size + 2) std::abort();  // every call makes progress
    if (reader->next(record, error)) {
      if (record.block.size() > (1u << 16)) std::abort();
      crawl::storage::http_response response;
      std::string problem;
      crawl::storage::decode_http_response(record.block, 1 << 16, response, problem);
      if (response.body.size() > (1u << 16)) std::abort();
      continue;
    }
    if (error.empty()) break;
    error.clear();
  }
  return 0;
}
