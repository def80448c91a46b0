#include "tail_output.hpp"

#include "diagnostics.hpp"

#include "crawl/pipeline/log_summary_output.hpp"

namespace crawl::app {

log_result::log_result(const config::tail_settings& s, const pipeline::log_summary& total,
                       const std::vector<std::string>& inputs, const std::vector<pipeline::log_summary>& per_input,
                       const pipeline::query_options& query, std::vector<read_span> spans)
    : s_(s), total_(total), inputs_(inputs), per_input_(per_input), spans_(std::move(spans)), query_(query),
      generated_at_(utc_timestamp(std::chrono::system_clock::now())) {}

void log_result::render(config::result_format format, std::size_t top, const piece_sink& out) const {
  pipeline::answer_layout layout{top, s_.sort};
  switch (format) {
    case config::result_format::tsv:
    case config::result_format::csv:
      return pipeline::write_answer(format == config::result_format::csv, total_, query_, layout, out);
    case config::result_format::json: {
      std::vector<pipeline::named_summary> files;
      if (s_.per_file)
        for (std::size_t i = 0; i < inputs_.size() && i < per_input_.size(); ++i)
          files.push_back({inputs_[i], &per_input_[i]});
      pipeline::json j = pipeline::log_json(total_, files, query_, layout);
      pipeline::json read = pipeline::json::array();
      for (const auto& span : spans_) {
        pipeline::json entry = pipeline::json::object();
        pipeline::append_member(entry, "path", span.path);
        pipeline::append_member(entry, "from", span.from);
        pipeline::append_member(entry, "to", span.to);
        read.push_back(std::move(entry));
      }
      pipeline::append_member(j, "read", std::move(read));
      pipeline::append_member(j, "generated_at", generated_at_);
      return out(pipeline::dump_json(j, indent_) + "\n");
    }
    case config::result_format::table:
      break;
  }
  std::string text;
  if (s_.per_file) {
    for (std::size_t i = 0; i < inputs_.size() && i < per_input_.size(); ++i)
      text += "== " + inputs_[i] + " ==\n" + pipeline::format_log_table(per_input_[i], query_, layout) + "\n";
    text += "== total ==\n";
  }
  out(text + pipeline::format_log_table(total_, query_, layout));
}

bool deliver_tail(command_outputs& outputs, const log_result& r, storage::tail_state* state,
                  const std::vector<storage::file_mark>& marks) {
  if (!state) return outputs.deliver(r);
  std::string error;
  auto fail = [&] {
    log_line("error", error);
    return false;
  };
  if (!outputs.finish_file(r)) return false;
  const storage::atomic_file& file = outputs.file();
  storage::staged_output staged;
  if (file.is_open()) staged = {file.temp_path(), file.path(), file.temp_dev(), file.temp_ino()};
  if (!state->stage(marks, staged, error)) return fail();
  if (!outputs.publish_file()) {
    std::string ignored;
    state->discard_staged(ignored);
    return false;
  }
  outputs.print(r);
  return state->promote(error) || fail();
}

}  // namespace crawl::app
