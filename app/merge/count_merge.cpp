#include "count_merge.hpp"

#include "crawl/pipeline/count_output.hpp"

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
    FILE* f = ::fdopen(fd, "w+b");
    if (!f) {
      ::close(fd);
      error = std::string("fdopen: ") + std::strerror(errno);
      return nullptr;
    }
    return std::unique_ptr<run_file>(new run_file(f, dir));
  }
  ~run_file() { std::fclose(f_); }

  void put(std::string_view word, std::uint64_t count) {
    std::uint64_t len = word.size();
    while (len >= 0x80) {
      std::fputc(static_cast<int>((len & 0x7f) | 0x80), f_);
      len >>= 7;
    }
    std::fputc(static_cast<int>(len), f_);
    std::fwrite(word.data(), 1, word.size(), f_);
    std::fwrite(&count, sizeof count, 1, f_);
  }
  // Flushes what was put; false with `error` (disk full).
  bool close_writing(std::string& error) {
    if (std::fflush(f_) != 0 || std::ferror(f_)) {
      error = "cannot write a temporary file in " + dir_ + ": " + std::strerror(errno);
      return false;
    }
    return true;
  }
  void rewind() { std::rewind(f_); }
  // The next record; false at the end.
  bool get(std::string& word, std::uint64_t& count) {
    std::uint64_t len = 0;
    int shift = 0, c;
    while ((c = std::fgetc(f_)) != EOF) {
      len |= static_cast<std::uint64_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) break;
      shift += 7;
    }
    if (c == EOF) return false;
    word.resize(len);
    return std::fread(word.data(), 1, len, f_) == len && std::fread(&count, sizeof count, 1, f_) == 1;
  }

 private:
  run_file(FILE* f, std::string dir) : f_(f), dir_(std::move(dir)) {
    std::setvbuf(f_, nullptr, _IOFBF, 256 * 1024);
  }
  FILE* f_;
  std::string dir_;
};

namespace {

bool rank_before(std::string_view a_word, std::uint64_t a, std::string_view b_word, std::uint64_t b) {
  return pipeline::ranks_before({a_word, a}, {b_word, b});
}

// Sorts rows by `before` in two halves on two threads (the sorts were a
// quarter of a merge's time, on one core of two); returns where the second
// half starts. merge_halves() hands the rows out in order.
template <class Before>
std::size_t sort_halves(std::vector<pipeline::word_count>& rows, Before before) {
  constexpr std::size_t worth_a_thread = 1 << 16;
  if (rows.size() < worth_a_thread) {
    std::sort(rows.begin(), rows.end(), before);
    return rows.size();
  }
  auto mid = rows.begin() + static_cast<std::ptrdiff_t>(rows.size() / 2);
  std::thread first_half([&] { std::sort(rows.begin(), mid, before); });
  std::sort(mid, rows.end(), before);
  first_half.join();
  return rows.size() / 2;
}

// `put` returns false to stop.
template <class Before, class Put>
void merge_halves(const std::vector<pipeline::word_count>& rows, std::size_t half, Before before, Put put) {
  auto a = rows.begin(), mid = rows.begin() + static_cast<std::ptrdiff_t>(half), b = mid;
  while (a != mid || b != rows.end()) {
    bool from_a = b == rows.end() || (a != mid && !before(*b, *a));
    if (!put(from_a ? *a++ : *b++)) return;
  }
}

bool words_in_order(const pipeline::word_count& a, const pipeline::word_count& b) {
  return pipeline::word_before(a.word, b.word);
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
  auto run = run_file::create(temp_dir_, error);
  if (!run) return false;
  std::vector<pipeline::word_count> rows;
  rows.reserve(table_.distinct());
  table_.for_each([&](pipeline::word_count row) { rows.push_back(row); });
  std::size_t half = sort_halves(rows, words_in_order);
  merge_halves(rows, half, words_in_order, [&](const pipeline::word_count& row) {
    run->put(row.word, row.count);
    return true;
  });
  if (!run->close_writing(error)) return false;
  by_word_.push_back(std::move(run));
  ++word_runs_;
  table_ = pipeline::word_counts();
  return true;
}

bool count_merge::finish(std::string& error) {
  if (by_word_.empty()) {  // all in memory: ranked once, handed out from here as often as asked
    total_ = table_.total();
    distinct_ = table_.distinct();
    in_memory_.reserve(distinct_);
    table_.for_each([&](pipeline::word_count row) { in_memory_.push_back(row); });
    half_ = sort_halves(in_memory_, pipeline::ranks_before);
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
  merge_runs(by_word_, [](const cursor& a, const cursor& b) { return pipeline::word_before(a.word, b.word); },
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
  auto run = run_file::create(temp_dir_, error);
  if (!run) return false;
  std::vector<pipeline::word_count> rows;
  rows.reserve(buffer.size());
  for (const auto& [w, n] : buffer) rows.push_back({w, n});
  std::size_t half = sort_halves(rows, pipeline::ranks_before);
  merge_halves(rows, half, pipeline::ranks_before, [&](const pipeline::word_count& row) {
    run->put(row.word, row.count);
    return true;
  });
  buffer.clear();
  buffer.shrink_to_fit();
  if (!run->close_writing(error)) return false;
  rank_runs_.push_back(std::move(run));
  return true;
}

void count_merge::for_each_ranked(const std::function<bool(std::string_view, std::uint64_t)>& row) const {
  if (rank_runs_.empty()) {
    merge_halves(in_memory_, half_, pipeline::ranks_before,
                 [&](const pipeline::word_count& r) { return row(r.word, r.count); });
    return;
  }
  merge_runs(rank_runs_,
             [](const cursor& a, const cursor& b) { return rank_before(a.word, a.count, b.word, b.count); },
             [&](const std::string& w, std::uint64_t n) { return row(w, n); });
}

}  // namespace crawl::app
