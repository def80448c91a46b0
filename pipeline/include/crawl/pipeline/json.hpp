#pragma once
// The one JSON writer for everything crawl emits: nlohmann/json, ordered as
// built, with invalid UTF-8 replaced by U+FFFD (its own escaper rejects
// overlong forms and surrogates, which a hand-written one let through).
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace crawl::pipeline {

using json = nlohmann::ordered_json;

// `indent` < 0: one line.
inline std::string dump_json(const json& value, int indent = -1) {
  return value.dump(indent, ' ', false, json::error_handler_t::replace);
}

// Adds a member at the end of `object` (which must be an object) without
// the linear search ordered_json's operator[] makes: group tables can have
// millions of values.
inline void append_member(json& object, std::string_view key, json value) {
  object.get_ref<json::object_t&>().emplace_back(std::string(key), std::move(value));
}

// A text that may be absent: null when empty.
inline json text_or_null(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

}  // namespace crawl::pipeline
