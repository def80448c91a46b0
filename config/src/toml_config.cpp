#include "toml_config.hpp"

#include <toml++/toml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace crawl::config {
namespace {

// By the node's own type: toml++'s value<T>() converts between types.
std::string scalar_text(const toml::node& node) {
  if (node.is_string()) return *node.value<std::string>();
  if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
  if (node.is_integer()) return std::to_string(*node.value<std::int64_t>());
  if (node.is_floating_point()) {
    std::ostringstream out;
    out << *node.value<double>();
    return out.str();
  }
  return {};
}

const char* type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "true or false";
    case toml::node_type::array: return "a list";
    case toml::node_type::table: return "a table";
    default: return "a date or time";
  }
}

}  // namespace

std::vector<CLI::ConfigItem> toml_config::from_config(std::istream& input) const {
  std::vector<CLI::ConfigItem> items;
  toml::table table = toml::parse(input);  // already checked: see check_job_file
  for (const auto& [key, node] : table) {
    CLI::ConfigItem item;
    item.name = std::string(key.str());
    if (const auto* list = node.as_array()) {
      for (const auto& element : *list) item.inputs.push_back(scalar_text(element));
    } else {
      item.inputs.push_back(scalar_text(node));
    }
    items.push_back(std::move(item));
  }
  return items;
}

std::vector<std::string> check_job_file(const std::string& path, const CLI::App& app,
                                        std::map<std::string, job_key>& keys) {
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    std::fclose(f);
  } else {
    return {path + ": " + std::strerror(errno)};
  }
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << path << ":" << e.source().begin.line << ": " << e.description();
    return {out.str()};
  } catch (const std::exception& e) {
    return {path + ": " + e.what()};
  }
  std::vector<std::string> errors;
  for (const auto& [key, node] : table) {
    std::string name(key.str());
    int line = static_cast<int>(node.source().begin.line);
    auto where = path + ":" + std::to_string(line) + ": key '" + name + "'";
    const CLI::Option* opt = nullptr;
    for (const CLI::Option* o : app.get_options())
      if ((!o->get_lnames().empty() && o->get_lnames()[0] == name) || o->get_name(true, false) == name) opt = o;
    std::string problem;
    bool flag = opt && opt->get_expected_max() == 0;
    bool many = opt && opt->get_expected_max() > 1;
    if (!opt || name == "config" || name == "help" || name == "version")
      problem = "no such option (keys are the long option names, e.g. top = 10)";
    else if (flag && !node.is_boolean())
      problem = std::string("must be true or false, not ") + type_name(node);
    else if (!flag && node.is_table())
      problem = "must be a value, not a table";
    else if (!flag && node.is_array() && !many)
      problem = "takes one value, not a list";
    else if (!flag && node.is_boolean())
      problem = "must be a value, not true or false";
    job_key found{line, {}};
    if (const auto* list = node.as_array()) {
      for (const auto& element : *list) {
        if (!element.is_string() && !element.is_number()) problem = "list items must be strings";
        found.values.push_back(scalar_text(element));
      }
    } else {
      found.values.push_back(scalar_text(node));
    }
    if (!problem.empty()) errors.push_back(where + ": " + problem);
    else keys[name] = std::move(found);
  }
  return errors;
}

std::string config_path_in(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (args[i] == "--config" && i + 1 < args.size()) return args[i + 1];
    if (args[i].rfind("--config=", 0) == 0) return args[i].substr(9);
  }
  return {};
}

std::string env_name_for(const std::string& long_name) {
  std::string env = "CRAWL_";
  for (char c : long_name) env.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return env;
}

}  // namespace crawl::config
