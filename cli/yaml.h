// A small YAML emitter for JSON values, in the style of Go's gopkg.in/yaml.v2 (what upstream's
// `-f yaml` uses): block mappings indented by 2, sequences not indented under their key, plain
// strings unless they would read back as another type, `|` block scalars for multi-line strings.
// Owned by cli/; pure functions, thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace movn::cli {

// Collections nested deeper than this are written in flow style (as JSON, which YAML reads), so
// rendering recurses at most this deep in block style.
inline constexpr std::size_t kMaxYamlDepth = 32;

// The YAML document for `value`, ending with a newline. Key order is kept.
std::string render_yaml(const nlohmann::ordered_json& value);

// How a string scalar is written on one line: as is, or double-quoted with escapes.
std::string yaml_inline_string(std::string_view text);

}  // namespace movn::cli
