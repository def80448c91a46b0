#include "crawl/storage/rotation.hpp"

#include "crawl/storage/decoder.hpp"

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

// The usual names of a rotated file, newest first: app.log.1, app.log.1.gz,
// app.log.1.zst, app.log.0, and dated ones (app.log-20240501, app.log.2024-05-01.gz, ...).
std::vector<std::string> rotated_candidates(const std::string& path) {
  std::vector<std::string> names = {path + ".1", path + ".1.gz", path + ".1.zst", path + ".0"};
  for (const char* pattern : {"-[0-9]*", ".[0-9][0-9][0-9][0-9]*", "_[0-9]*"}) {
    glob_t g{};
    if (::glob((path + pattern).c_str(), 0, nullptr, &g) == 0)
      for (std::size_t i = 0; i < g.gl_pathc; ++i) names.emplace_back(g.gl_pathv[i]);
    ::globfree(&g);
  }
  std::vector<std::pair<std::int64_t, std::string>> dated;
  for (auto& name : names) {
    struct ::stat st {};
    if (::stat(name.c_str(), &st) == 0 && S_ISREG(st.st_mode))
      dated.emplace_back(st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec, name);
  }
  std::sort(dated.begin(), dated.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> out;
  for (auto& d : dated)
    if (std::find(out.begin(), out.end(), d.second) == out.end()) out.push_back(d.second);
  return out;
}

}  // namespace

std::string leading_bytes(const std::string& path, std::size_t n) {
  std::string head = raw_head(path, 64 * 1024);
  auto decoder = make_decoder(detect_compression(head));
  if (!decoder) return head.substr(0, n);
  // Decode from the start until there are n bytes (or the file ends).
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string out;
  char block[64 * 1024];
  ssize_t got;
  while (out.size() < n && (got = ::read(fd, block, sizeof block)) > 0)
    if (!decoder->decode(std::string_view(block, static_cast<std::size_t>(got)), out)) break;
  ::close(fd);
  if (out.size() > n) out.resize(n);
  return out;
}

std::optional<file_mark> current_mark(const std::string& path, std::uint64_t offset) {
  struct ::stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  file_mark m;
  m.path = path;
  m.dev = st.st_dev;
  m.ino = st.st_ino;
  m.fingerprint = raw_head(path, fingerprint_bytes);
  m.offset = offset;
  m.size = static_cast<std::uint64_t>(st.st_size);
  m.mtime_ns = st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec;
  return m;
}

resume_plan plan_resume(const std::string& path, const std::optional<file_mark>& mark) {
  resume_plan plan;
  if (!mark) return plan;  // first run: the whole file
  struct ::stat st {};
  if (::stat(path.c_str(), &st) != 0) return plan;
  std::string head = raw_head(path, fingerprint_bytes);
  bool same_file = static_cast<std::uint64_t>(st.st_dev) == mark->dev && static_cast<std::uint64_t>(st.st_ino) == mark->ino;
  bool same_start = starts_with(head, mark->fingerprint);
  if (same_file && same_start && static_cast<std::uint64_t>(st.st_size) >= mark->offset) {
    plan.offset = mark->offset;
    return plan;
  }
  // Rotated (or copied and truncated): find the previous file by its first bytes.
  for (const auto& candidate : rotated_candidates(path)) {
    struct ::stat cst {};
    if (::stat(candidate.c_str(), &cst) != 0) continue;
    if (cst.st_dev == st.st_dev && cst.st_ino == st.st_ino) continue;
    if (!starts_with(leading_bytes(candidate, mark->fingerprint.size()), mark->fingerprint)) continue;
    plan.predecessor = candidate;
    plan.predecessor_offset = mark->offset;
    plan.note = path + ": rotated since the last run; reading the rest of " + candidate + " first";
    return plan;
  }
  if (same_file) {
    plan.note = path + ": truncated since the last run and no copy found; reading from the start";
    return plan;
  }
  plan.note = path + ": rotated since the last run and the previous file was not found under the usual names; "
              "lines written to it after byte " + std::to_string(mark->offset) + " are not counted";
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
