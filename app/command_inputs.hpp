#pragma once
// What every command checks before any work: that an input can be read,
// and that it holds the lock of its --state.
#include "crawl/storage/state_lock.hpp"

#include <memory>
#include <string>

namespace crawl::app {

// Empty when `path` can be read; else an error naming it (missing, no
// permission, a folder). "-" (standard input) always can. With `rotating`
// (a log whose rotation renames it, then creates it anew) a missing file is
// looked for again for up to a second.
std::string unreadable(const std::string& path, bool rotating = false);

// Takes the lock of the state at `state_path` (waiting with `wait`).
// 0, or the exit status to stop with (75: held by another run, named; 2:
// the lock file cannot be used), the error logged.
int lock_state(const std::string& state_path, bool wait, std::unique_ptr<storage::state_lock>& lock);

}  // namespace crawl::app
