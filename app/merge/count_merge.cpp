#include "count_merge.hpp"

#include "crawl/pipeline/count_output.hpp"

#include <boost/sort/pdqsort/pdqsort.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <queue>
#include <thread>

namespace crawl::app {

// A run of (word, count) records in an unnamed temporary file: the word's
// length as a varint, its bytes, the count as 8 bytes. Written once, then
// read from the start as often as needed.
class run_file {
 public:
  static std::unique_ptr<run_file> create(const std::string& dir, std::string& error) {
    int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {  // a file system without O_TMPFILE: a named file, removed at once
      std::string path = dir + "/crawl-merge-XXXXXX";
      fd = ::mkostemp(path.data(), O_CLOEXEC);
      if (fd >= 0) ::unlink(path.c_str());
    }
    if (fd < 0) {
      error = "cannot make a temporary file in " + dir + ": " + std::strerror(errno);
      return nullptr;
    }
    return std::unique_ptr<run_file>(new run_file(fd, dir));
  }
  ~run_file() { ::close(fd_); }

  // Records go into a buffer of our own, written in large pieces (stdio's
  // per-call work was a sixth of a merge: three calls a record).
  void put(std::string_view word, std::uint64_t count) {
    std::uint64_t len = word.size();
    while (len >= 0x80) {
      buf_.push_back(static_cast<char>((len & 0x7f) | 0x80));
      len >>= 7;
    }
    buf_.push_back(static_cast<char>(len));
    buf_.append(word);
    buf_.append(reinterpret_cast<const char*>(&count), sizeof count);
    if (buf_.size() >= piece) write_out();
  }
  // Writes what was put; false with `error` (disk full).
  bool close_writing(std::string& error) {
    write_out();
    buf_.clear();
    buf_.shrink_to_fit();
    if (failed_) error = "cannot write a temporary file in " + dir_ + ": " + std::strerror(failed_);
    return failed_ == 0;
  }
  void rewind() {
    ::lseek(fd_, 0, SEEK_SET);
    buf_.clear();
    pos_ = 0;
    eof_ = false;
  }
  // The next record; false at the end.
  bool get(std::string& word, std::uint64_t& count) {
    std::uint64_t len = 0;
    int shift = 0;
    for (;;) {
      if (pos_ == buf_.size() && !fill()) return false;
      auto c = static_cast<unsigned char>(buf_[pos_++]);
      len |= static_cast<std::uint64_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) break;
      shift += 7;
      if (shift > 63) return false;
    }
    while (buf_.size() - pos_ < len + sizeof count)
      if (!fill()) return false;
    word.assign(buf_.data() + pos_, len);
    std::memcpy(&count, buf_.data() + pos_ + len, sizeof count);
    pos_ += len + sizeof count;
    return true;
  }

 private:
  static constexpr std::size_t piece = 256 * 1024;
  run_file(int fd, std::string dir) : fd_(fd), dir_(std::move(dir)) { buf_.reserve(piece + 64); }

  void write_out() {
    std::size_t done = 0;
    while (done < buf_.size() && failed_ == 0) {
      ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) failed_ = n < 0 ? errno : ENOSPC;
      else done += static_cast<std::size_t>(n);
    }
    buf_.clear();
  }
  // Appends the next piece of the file to what is left unread; false at its end.
  bool fill() {
    if (eof_) return false;
    buf_.erase(0, pos_);
    pos_ = 0;
    std::size_t old = buf_.size();
    buf_.resize(old + piece);
    ssize_t n;
    do n = ::read(fd_, buf_.data() + old, piece);
    while (n < 0 && errno == EINTR);
    buf_.resize(old + static_cast<std::size_t>(n > 0 ? n : 0));
    if (n <= 0) eof_ = true;
    return n > 0;
  }

  int fd_;
  std::string dir_;
  std::string buf_;
  std::size_t pos_ = 0;
  bool eof_ = false;
  int failed_ = 0;  // errno of the first failed write
};

namespace {

// A row with its word's first 8 bytes as a big-endian number, computed
// once: most comparisons end on the count or the prefix, without a memcmp
// (computing the prefix in each comparison cost half as much CPU again:
// 15.0 against 10.5 CPU-seconds for 4 x 5 M words).
std::uint64_t prefix_of(std::string_view w) {
  std::uint64_t p = 0;
  if (!w.empty()) std::memcpy(&p, w.data(), std::min<std::size_t>(w.size(), 8));  // the empty word has no data
  return __builtin_bswap64(p);
}

bool word_order(const keyed_row& a, const keyed_row& b) {
  return a.prefix != b.prefix ? a.prefix < b.prefix : a.word < b.word;
}

// pipeline::rank_before, on keyed rows.
bool rank_order(const keyed_row& a, const keyed_row& b) { return a.count != b.count ? a.count > b.count : word_order(a, b); }

keyed_row keyed(std::string_view word, std::uint64_t count) { return {prefix_of(word), count, word}; }

// Sorts rows by `before` in two halves on two threads (the sorts were a
// quarter of a merge's time, on one core of two); returns where the second
// half starts. merge_halves() hands the rows out in order.
template <class Before>
std::size_t sort_halves(std::vector<keyed_row>& rows, Before before) {
  constexpr std::size_t worth_a_thread = 1 << 16;
  if (rows.size() < worth_a_thread) {
    boost::sort::pdqsort(rows.begin(), rows.end(), before);
    return rows.size();
  }
  auto mid = rows.begin() + static_cast<std::ptrdiff_t>(rows.size() / 2);
  std::thread first_half([&] { boost::sort::pdqsort(rows.begin(), mid, before); });
  boost::sort::pdqsort(mid, rows.end(), before);
  first_half.join();
  return rows.size() / 2;
}

// `put` returns false to stop.
template <class Before, class Put>
void merge_halves(const std::vector<keyed_row>& rows, std::size_t half, Before before, Put put) {
  auto a = rows.begin(), mid = rows.begin() + static_cast<std::ptrdiff_t>(half), b = mid;
  while (a != mid || b != rows.end()) {
    bool from_a = b == rows.end() || (a != mid && !before(*b, *a));
    if (!put(from_a ? *a++ : *b++)) return;
  }
}

// `rows` sorted by `order` into a new run file, added to `runs`.
template <class Order>
bool write_run(std::vector<keyed_row>& rows, Order order, const std::string& dir,
               std::vector<std::unique_ptr<run_file>>& runs, std::string& error) {
  auto run = run_file::create(dir, error);
  if (!run) return false;
  std::size_t half = sort_halves(rows, order);
  merge_halves(rows, half, order, [&](const keyed_row& row) {
    run->put(row.word, row.count);
    return true;
  });
  if (!run->close_writing(error)) return false;
  runs.push_back(std::move(run));
  return true;
}

// A run's current record, for merging runs.
struct cursor {
  run_file* run;
  std::string word;
  std::uint64_t count = 0;
  bool next() { return run->get(word, count); }
};

// Merges runs sorted by `before(a, b)`, handing each record out in order.
template <class Before, class Row>
void merge_runs(const std::vector<std::unique_ptr<run_file>>& runs, Before before, Row&& row) {
  std::vector<cursor> cursors;
  cursors.reserve(runs.size());
  for (const auto& r : runs) {
    r->rewind();
    cursor c{r.get(), {}, 0};
    if (c.next()) cursors.push_back(std::move(c));
  }
  auto later = [&](std::size_t a, std::size_t b) { return before(cursors[b], cursors[a]); };
  std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(later)> heap(later);
  for (std::size_t i = 0; i < cursors.size(); ++i) heap.push(i);
  while (!heap.empty()) {
    std::size_t i = heap.top();
    heap.pop();
    if (!row(cursors[i].word, cursors[i].count)) return;
    if (cursors[i].next()) heap.push(i);
  }
}

}  // namespace

count_merge::count_merge(std::size_t budget, std::string temp_dir) : budget_(budget), temp_dir_(std::move(temp_dir)) {}
count_merge::~count_merge() = default;

bool count_merge::add(std::string_view word, std::uint64_t n, std::string& error) {
  if (!table_.add_checked(word, n)) {
    error = "the count of \"" + std::string(word) + "\" passes 2^64-1";
    return false;
  }
  // The table's size is looked at every 4,096 words (it was 2% of a merge when asked every time).
  if ((++added_ & 4095) == 0 && table_.memory_bytes() > budget_) return spill_table(error);
  return true;
}

// The table, sorted by word, into a run of its own; the table starts afresh.
bool count_merge::spill_table(std::string& error) {
  std::vector<keyed_row> rows;
  rows.reserve(table_.distinct());
  table_.for_each([&](pipeline::word_count row) { rows.push_back(keyed(row.word, row.count)); });
  if (!write_run(rows, word_order, temp_dir_, by_word_, error)) return false;
  ++word_runs_;
  table_ = pipeline::word_counts();
  return true;
}

bool count_merge::finish(std::string& error) {
  if (by_word_.empty()) {  // all in memory: ranked once, handed out from here as often as asked
    total_ = table_.total();
    distinct_ = table_.distinct();
    in_memory_.reserve(distinct_);
    table_.for_each([&](pipeline::word_count row) { in_memory_.push_back(keyed(row.word, row.count)); });
    half_ = sort_halves(in_memory_, rank_order);
    return true;
  }
  if (table_.distinct() > 0 && !spill_table(error)) return false;
  return merge_word_runs(error);
}

// Sums each word across the runs (they are sorted by word), into ranked runs.
bool count_merge::merge_word_runs(std::string& error) {
  std::vector<std::pair<std::string, std::uint64_t>> buffer;
  std::size_t buffered = 0;
  std::string word;
  std::uint64_t sum = 0;
  bool have = false, ok = true;
  auto emit = [&]() {
    total_ += sum;
    ++distinct_;
    buffered += word.size() + sizeof(buffer[0]);
    buffer.emplace_back(std::move(word), sum);
    if (buffered > budget_) {
      ok = spill_ranked(buffer, error);
      buffered = 0;
    }
  };
  merge_runs(by_word_, [](const cursor& a, const cursor& b) { return a.word < b.word; },
             [&](const std::string& w, std::uint64_t n) {
               if (have && w == word) {
                 if (sum + n < n) {
                   error = "the count of \"" + w + "\" passes 2^64-1";
                   return ok = false;
                 }
                 sum += n;
                 return true;
               }
               if (have) emit();
               word = w;
               sum = n;
               have = true;
               return ok;
             });
  if (!ok) return false;
  if (have) emit();
  if (!ok) return false;
  by_word_.clear();  // the runs by word are done with: their space is given back
  return buffer.empty() || spill_ranked(buffer, error);
}

bool count_merge::spill_ranked(std::vector<std::pair<std::string, std::uint64_t>>& buffer, std::string& error) {
  std::vector<keyed_row> rows;
  rows.reserve(buffer.size());
  for (const auto& [w, n] : buffer) rows.push_back(keyed(w, n));
  bool written = write_run(rows, rank_order, temp_dir_, rank_runs_, error);
  rows.clear();  // views into the buffer, emptied next
  buffer.clear();
  buffer.shrink_to_fit();
  return written;
}

void count_merge::for_each_ranked(const std::function<bool(std::string_view, std::uint64_t)>& row) const {
  if (rank_runs_.empty()) {
    merge_halves(in_memory_, half_, rank_order, [&](const keyed_row& r) { return row(r.word, r.count); });
    return;
  }
  merge_runs(rank_runs_,
             [](const cursor& a, const cursor& b) { return pipeline::rank_before({a.word, a.count}, {b.word, b.count}); },
             [&](const std::string& w, std::uint64_t n) { return row(w, n); });
}

}  // namespace crawl::app
