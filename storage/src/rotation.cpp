#include "crawl/storage/rotation.hpp"

#include "crawl/storage/decoded_source.hpp"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace crawl::storage {
namespace {

std::string raw_head(const std::string& path, std::size_t n) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string out(n, '\0');
  ssize_t got = ::pread(fd, out.data(), n, 0);
  ::close(fd);
  out.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  return out;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return !prefix.empty() && s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

std::int64_t mtime_of(const struct ::stat& st) { return st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec; }

// The usual names of a rotated file, newest (last written) first:
// app.log.1, app.log.2.gz, app.log.0, app.log-20240501, app.log_1, ...
// The file open as `current` is left out.
struct candidate {
  std::string path;
  struct ::stat st;
};
std::vector<candidate> rotated_candidates(const std::string& path, const opened_file& current) {
  std::vector<candidate> out;
  for (const char* pattern : {".[0-9]*", "-[0-9]*", "_[0-9]*"}) {
    glob_t g{};
    if (::glob((path + pattern).c_str(), 0, nullptr, &g) == 0) {
      for (std::size_t i = 0; i < g.gl_pathc; ++i) {
        candidate c{g.gl_pathv[i], {}};
        if (::stat(c.path.c_str(), &c.st) != 0 || !S_ISREG(c.st.st_mode)) continue;
        if (static_cast<std::uint64_t>(c.st.st_dev) == current.dev &&
            static_cast<std::uint64_t>(c.st.st_ino) == current.ino)
          continue;
        out.push_back(std::move(c));
      }
    }
    ::globfree(&g);
  }
  std::sort(out.begin(), out.end(),
            [](const candidate& a, const candidate& b) { return mtime_of(a.st) > mtime_of(b.st); });
  return out;
}

// Whether `c` is the file the mark describes: the same inode with the same
// first bytes (renamed), or the same first bytes once decoded (compressed
// or copied).
bool is_marked_file(const candidate& c, const file_mark& mark) {
  if (static_cast<std::uint64_t>(c.st.st_dev) == mark.dev && static_cast<std::uint64_t>(c.st.st_ino) == mark.ino &&
      starts_with(raw_head(c.path, fingerprint_bytes), mark.fingerprint))
    return true;
  return starts_with(leading_bytes(c.path, mark.fingerprint.size()), mark.fingerprint);
}

}  // namespace

std::optional<opened_file> identify(int fd) {
  struct ::stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  opened_file f;
  f.dev = st.st_dev;
  f.ino = st.st_ino;
  f.size = static_cast<std::uint64_t>(st.st_size);
  f.mtime_ns = mtime_of(st);
  f.head.resize(fingerprint_bytes);
  ssize_t got = ::pread(fd, f.head.data(), fingerprint_bytes, 0);
  f.head.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  return f;
}

std::optional<file_mark> mark_of(const std::string& path, int fd, std::uint64_t offset) {
  auto f = identify(fd);
  if (!f) return std::nullopt;
  file_mark m;
  m.path = path;
  m.dev = f->dev;
  m.ino = f->ino;
  m.fingerprint = std::move(f->head);
  m.offset = offset;
  m.size = f->size;
  m.mtime_ns = f->mtime_ns;
  return m;
}

resume_plan plan_resume(const std::string& path, const opened_file& current, const std::optional<file_mark>& mark) {
  resume_plan plan;
  if (!mark) return plan;  // first run: the whole file
  bool same_file = current.dev == mark->dev && current.ino == mark->ino;
  if (same_file && starts_with(current.head, mark->fingerprint) && current.size >= mark->offset) {
    plan.offset = mark->offset;
    return plan;
  }
  // Rotated (or copied and truncated): find the marked file, then read what
  // was rotated after it.
  auto candidates = rotated_candidates(path, current);
  for (std::size_t k = 0; k < candidates.size(); ++k) {
    if (!is_marked_file(candidates[k], *mark)) continue;
    plan.rotated.push_back({candidates[k].path, mark->offset});
    for (std::size_t j = k; j-- > 0;) plan.rotated.push_back({candidates[j].path, 0});
    plan.note = path + ": rotated since the last run; reading the rest of " + candidates[k].path + " first";
    if (k > 0) plan.note += ", then " + std::to_string(k) + " file(s) rotated after it";
    return plan;
  }
  // The marked file is gone: rotated twice with the older copy deleted, or
  // truncated in place with no copy kept. (Its inode number may already
  // name the file at the path: numbers are reused.) Files rotated after it,
  // known by having been written after the mark was taken, are read whole,
  // oldest first, then the file at the path from its start.
  std::size_t newer = 0;
  while (newer < candidates.size() && mtime_of(candidates[newer].st) > mark->mtime_ns) ++newer;
  for (std::size_t j = newer; j-- > 0;) plan.rotated.push_back({candidates[j].path, 0});
  if (same_file && newer == 0)
    plan.note = path + ": truncated since the last run and no copy found; reading from the start";
  else
    plan.note = path + ": rotated since the last run and the previous file was not found under the usual names; "
                "lines written to it after byte " + std::to_string(mark->offset) + " are not counted";
  if (newer > 0) plan.note += "; reading " + std::to_string(newer) + " file(s) rotated since, whole";
  return plan;
}

std::uint64_t last_lines_offset(const std::string& path, std::uint64_t n) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  struct ::stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return 0;
  }
  // Walk back from the end counting newlines; a final newline ends the last
  // line rather than starting an empty one.
  std::uint64_t end = static_cast<std::uint64_t>(st.st_size);
  std::uint64_t pos = end, start = 0;
  std::uint64_t seen = 0;
  char block[64 * 1024];
  bool found = n == 0;
  if (n == 0) start = end;
  while (!found && pos > 0) {
    std::size_t len = static_cast<std::size_t>(std::min<std::uint64_t>(sizeof block, pos));
    pos -= len;
    if (::pread(fd, block, len, static_cast<off_t>(pos)) != static_cast<ssize_t>(len)) break;
    for (std::size_t i = len; i-- > 0;) {
      if (block[i] != '\n' || pos + i + 1 == end) continue;
      if (++seen == n) {
        start = pos + i + 1;
        found = true;
        break;
      }
    }
  }
  ::close(fd);
  return start;
}

live_change check_live(const struct ::stat& at_path, const struct ::stat& open_file, std::uint64_t read_offset) {
  // A deleted file's inode number may already belong to its successor, so
  // "our file has no name left" counts as rotation too.
  if (open_file.st_nlink == 0 || at_path.st_dev != open_file.st_dev || at_path.st_ino != open_file.st_ino)
    return live_change::rotated;
  if (static_cast<std::uint64_t>(at_path.st_size) < read_offset) return live_change::truncated;
  return live_change::none;
}

}  // namespace crawl::storage
