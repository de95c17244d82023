// One-shot OVN/OVS tools (ovsdb-tool, ovs-vsctl, ovn-nbctl, ...) run to completion: their output
// captured, a time limit enforced. Owned by ovn/. Thread-safe (no shared state); blocks the
// calling thread (the daemon calls it from its effects thread only).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace movn::ovn {

struct ToolResult {
  int exit_code = -1;  // the exit status; -1 when a signal ended it
  std::string output;  // stdout and stderr, interleaved, at most kMaxToolOutput bytes kept
};

inline constexpr std::size_t kMaxToolOutput = 64 * 1024;

// Runs argv (argv[0] found in the PATH of `env`) with exactly `env`, stdin from /dev/null, and
// waits for it, at most `timeout_ms` (then SIGKILL and kTimeout). kNotFound for a program that
// does not exist.
Result<ToolResult> run_tool(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                            std::uint64_t timeout_ms);

// run_tool, and an error (kInternal, naming the program, its exit status and the end of its
// output) unless it exits 0. Returns its output.
Result<std::string> run_tool_checked(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                     std::uint64_t timeout_ms);

}  // namespace movn::ovn
