#pragma once
// The one rule every subcommand follows for what it prints and writes (see
// config/common_settings.hpp): the result on stdout as a table or in
// --format, the complete result in -o FILE or on stdout with -o -, the run
// summary on stderr unless -q and in --summary FILE. Files are opened
// before any work, so a bad path stops the run before it starts, and
// appear whole or not at all.
#include "crawl/config/common_settings.hpp"
#include "crawl/storage/atomic_file.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace crawl::app {

using piece_sink = std::function<void(std::string_view)>;

// The exit statuses every command uses (see the README's table).
namespace exit_status {
inline constexpr int ok = 0;
inline constexpr int partial = 1;      // done, but some inputs (lines, URLs, files) failed
inline constexpr int usage = 2;        // bad options, or nothing could be read
inline constexpr int internal = 70;    // a bug
inline constexpr int not_written = 74; // an output or the state could not be written (disk full, permission)
inline constexpr int locked = 75;      // another run holds the state's lock
inline constexpr int interrupted = 130;
}  // namespace exit_status

// The status that says more of two: internal error, usage, unwritten
// outputs, locked, interrupted, partial, ok.
int worse(int a, int b);

// What a command produces, in every format of the rule.
class result {
 public:
  virtual ~result() = default;
  // table: for people, `top` rows per list; tsv, csv, json: complete.
  virtual void render(config::result_format format, std::size_t top, const piece_sink& out) const = 0;
};

// An output file of any kind (-o, --summary, crawl's --results): opened,
// or committed, with an error naming the file logged when that fails. An
// empty path, or a file never opened, is nothing to do.
bool open_output(const std::string& path, storage::atomic_file& file);
bool commit_output(storage::atomic_file& file);

class command_outputs {
 public:
  explicit command_outputs(const config::common_settings& s) : s_(s) {}

  // Creates the -o file's and --summary's temporary files (and missing
  // folders). false: an error naming the file was logged.
  bool open();

  // Delivering a result in steps, for a caller that records the delivery
  // in between (crawl tail's state): the complete result into the -o file,
  // flushed but not in place; then in place; then stdout.
  bool finish_file(const result& r);
  bool publish_file();
  const storage::atomic_file& file() const { return file_; }
  void print(const result& r) const;
  // All three.
  bool deliver(const result& r);

  // `text` on stderr (`json` instead with --log-format json) unless -q;
  // `json` into --summary FILE. false: the file failed (logged).
  bool summarize(const std::string& json, const std::string& text);
  // A run that could not start: `json` (carrying its exit status) into --summary only.
  static void summarize_failed_start(const config::common_settings& s, const std::string& json);

 private:
  const config::common_settings& s_;
  storage::atomic_file file_, summary_;
};

}  // namespace crawl::app
