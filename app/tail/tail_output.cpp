#include "tail_output.hpp"

#include "crawl/pipeline/count_output.hpp"
#include "crawl/pipeline/log_summary_output.hpp"
#include "crawl/storage/atomic_file.hpp"

#include <cstdio>

namespace crawl::app {

std::string render_tail_summary(const config::tail_settings& s, const pipeline::log_summary& total,
                                const std::vector<std::string>& inputs,
                                const std::vector<pipeline::log_summary>& per_input,
                                const pipeline::summary_rules& rules) {
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < rules.group_count(); ++i) labels.push_back(rules.group_label(i));
  switch (s.format) {
    case config::tail_format::tsv:
    case config::tail_format::csv: {
      std::string out;
      auto format = s.format == config::tail_format::tsv ? pipeline::count_format::tsv : pipeline::count_format::csv;
      pipeline::write_counts(format, pipeline::ranked(total.words), [&](std::string_view piece) { out.append(piece); });
      return out;
    }
    case config::tail_format::json: {
      std::vector<pipeline::named_summary> files;
      if (s.per_file)
        for (std::size_t i = 0; i < inputs.size() && i < per_input.size(); ++i)
          files.push_back({inputs[i], &per_input[i]});
      return pipeline::format_log_json(total, files, labels, s.top);
    }
    case config::tail_format::table:
      break;
  }
  std::string out;
  if (s.per_file) {
    for (std::size_t i = 0; i < inputs.size() && i < per_input.size(); ++i)
      out += "== " + inputs[i] + " ==\n" + pipeline::format_log_table(per_input[i], labels, s.top) + "\n";
    out += "== total ==\n";
  }
  return out + pipeline::format_log_table(total, labels, s.top);
}

bool write_tail_output(const config::tail_settings& s, const pipeline::log_summary& total,
                       const std::vector<std::string>& inputs, const std::vector<pipeline::log_summary>& per_input,
                       const pipeline::summary_rules& rules, storage::tail_state* state,
                       const std::vector<storage::file_mark>& marks) {
  std::string text = render_tail_summary(s, total, inputs, per_input, rules);
  std::string error;
  auto fail = [&] {
    std::fprintf(stderr, "crawl tail: %s\n", error.c_str());
    return false;
  };
  if (s.output.empty()) {
    if (state && !state->stage(marks, storage::staged_output{}, error)) return fail();
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return !state || state->promote(error) || fail();
  }
  storage::atomic_file file;
  if (!file.open(s.output, error)) return fail();
  file.write(text);
  if (!file.finish(error)) return fail();
  if (state && !state->stage(marks, {file.temp_path(), s.output, file.temp_dev(), file.temp_ino()}, error))
    return fail();
  if (!file.publish(error)) {
    std::string ignored;
    if (state) state->discard_staged(ignored);
    return fail();
  }
  return !state || state->promote(error) || fail();
}

}  // namespace crawl::app
