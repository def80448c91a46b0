#include "crawl/pipeline/count_input.hpp"

#include "crawl/pipeline/json.hpp"

#include <charconv>
#include <cstring>
#include <optional>
#include <vector>

namespace crawl::pipeline {
namespace {

constexpr std::size_t read_size = 1 << 20;
constexpr std::size_t max_record = 64 << 20;  // a longer line or record is refused, not held

std::optional<std::uint64_t> whole_count(std::string_view text) {
  std::uint64_t n = 0;
  if (text.empty() || text[0] == '+' || text[0] == '-') return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

// Lines of a stream, each without its "\n", with its number.
class line_source {
 public:
  explicit line_source(std::istream& in) : in_(in) {}
  // The next line; nothing at the end, or when a line is longer than max_record (too_long()).
  std::optional<std::string_view> next() {
    for (;;) {
      const char* start = buf_.data() + pos_;
      const void* nl = std::memchr(start, '\n', buf_.size() - pos_);
      if (nl) {
        std::size_t len = static_cast<const char*>(nl) - start;
        pos_ += len + 1;
        ++line_no_;
        return std::string_view(start, len);
      }
      if (buf_.size() - pos_ > max_record) return too_long_ = true, std::nullopt;
      if (!fill()) {
        if (pos_ == buf_.size()) return std::nullopt;
        std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
        pos_ = buf_.size();
        ++line_no_;
        return rest;
      }
    }
  }
  std::uint64_t line_no() const { return line_no_; }
  bool too_long() const { return too_long_; }

 private:
  bool fill() {
    if (!in_) return false;
    buf_.erase(0, pos_);
    pos_ = 0;
    std::size_t old = buf_.size();
    buf_.resize(old + read_size);
    in_.read(buf_.data() + old, static_cast<std::streamsize>(read_size));
    buf_.resize(old + static_cast<std::size_t>(in_.gcount()));
    return in_.gcount() > 0;
  }
  std::istream& in_;
  std::string buf_;
  std::size_t pos_ = 0;
  std::uint64_t line_no_ = 0;
  bool too_long_ = false;
};

std::string_view trim_cr(std::string_view s) {
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

std::string at_line(std::uint64_t n) { return "line " + std::to_string(n) + ": "; }

bool read_tsv(std::istream& in, const count_row& row, std::string& error) {
  line_source lines(in);
  while (auto raw = lines.next()) {
    auto line = trim_cr(*raw);  // CRLF lines too
    if (line.empty()) continue;
    auto tab = line.rfind('\t');
    auto count = tab == std::string_view::npos ? std::nullopt : whole_count(line.substr(tab + 1));
    if (!count) {
      error = at_line(lines.line_no()) + "not \"word<TAB>count\" with a whole count";
      return false;
    }
    std::string_view word = line.substr(0, tab);
    if (word.find('\\') == std::string_view::npos) row(word, *count);
    else row(unescape_tsv_field(word), *count);
  }
  if (lines.too_long()) return error = at_line(lines.line_no() + 1) + "longer than 64 MiB", false;
  return true;
}

// One CSV record's fields; false when a quote is left open (the record goes on).
bool split_csv(std::string_view record, std::vector<std::string>& fields) {
  fields.assign(1, std::string());
  bool quoted = false;
  for (std::size_t i = 0; i < record.size(); ++i) {
    char c = record[i];
    if (quoted) {
      if (c != '"') fields.back().push_back(c);
      else if (i + 1 < record.size() && record[i + 1] == '"') fields.back().push_back('"'), ++i;
      else quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back().push_back(c);
    }
  }
  return !quoted;
}

bool read_csv(std::istream& in, const count_row& row, std::string& error) {
  line_source lines(in);
  std::string record;
  std::vector<std::string> fields;
  bool first = true;
  while (auto line = lines.next()) {
    std::uint64_t starts_at = lines.line_no();
    record.assign(*line);
    // A quoted field may hold a line break (kept as it was, CRLF or LF): the record goes on.
    while (!split_csv(record, fields)) {
      auto more = lines.next();
      if (!more) return error = at_line(starts_at) + "a quoted field is never closed", false;
      if (record.size() + more->size() > max_record) return error = at_line(starts_at) + "longer than 64 MiB", false;
      record.push_back('\n');
      record.append(*more);
    }
    if (!record.empty() && record.back() == '\r') {  // the record's own CRLF
      record.pop_back();
      split_csv(record, fields);
    }
    if (record.empty()) continue;
    bool header = first && fields.size() == 2 && fields[0] == "word" && fields[1] == "count";
    first = false;
    if (header) continue;
    auto count = fields.size() == 2 ? whole_count(fields[1]) : std::nullopt;
    if (!count) return error = at_line(starts_at) + "not \"word,count\" with a whole count", false;
    row(fields[0], *count);
  }
  if (lines.too_long()) return error = at_line(lines.line_no() + 1) + "longer than 64 MiB", false;
  return true;
}

// nlohmann's SAX interface: one object of "word": whole number members.
class count_object_reader {
 public:
  explicit count_object_reader(const count_row& row) : row_(row) {}
  bool null() { return wrong("null"); }
  bool boolean(bool) { return wrong("true or false"); }
  bool number_integer(json::number_integer_t v) {
    if (v < 0) return wrong("a negative number");
    return number_unsigned(static_cast<json::number_unsigned_t>(v));
  }
  bool number_unsigned(json::number_unsigned_t v) {
    if (depth_ != 1 || !has_key_) return wrong("a number");
    row_(key_, v);
    has_key_ = false;
    return true;
  }
  bool number_float(json::number_float_t, const std::string&) { return wrong("a number that is not whole"); }
  bool string(std::string&) { return wrong("a string"); }
  bool binary(json::binary_t&) { return wrong("binary"); }
  bool start_object(std::size_t) {
    if (depth_ != 0) return wrong("an object");
    ++depth_;
    return true;
  }
  bool end_object() {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) { return wrong("a list"); }
  bool end_array() { return false; }
  bool key(std::string& k) {
    key_ = std::move(k);
    has_key_ = true;
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    error_ = "byte " + std::to_string(position) + ": not JSON (" + e.what() + ")";
    return false;
  }
  const std::string& error() const { return error_; }

 private:
  bool wrong(const char* what) {
    error_ = has_key_ ? "the count of \"" + key_ + "\" is " + what + ", not a whole number"
                      : std::string("not one object of \"word\": count members (found ") + what + ")";
    return false;
  }
  const count_row& row_;
  std::string key_;
  bool has_key_ = false;
  int depth_ = 0;
  std::string error_;
};

bool read_json(std::istream& in, const count_row& row, std::string& error) {
  count_object_reader reader(row);
  bool ok = json::sax_parse(in, &reader);
  if (ok) return true;
  error = reader.error().empty() ? "not one JSON object of counts" : reader.error();
  return false;
}

}  // namespace

bool read_counts(std::istream& in, count_format format, const count_row& row, std::string& error) {
  switch (format) {
    case count_format::tsv: return read_tsv(in, row, error);
    case count_format::csv: return read_csv(in, row, error);
    case count_format::json: return read_json(in, row, error);
  }
  return false;
}

}  // namespace crawl::pipeline
