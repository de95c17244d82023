#include "ovn/run_tool.h"

#include <gtest/gtest.h>

namespace movn::ovn {
namespace {

const std::vector<std::string> kEnv = {"PATH=/usr/bin:/bin", "ONLY=this"};

TEST(RunTool, CapturesOutputAndExitStatusWithOnlyTheGivenEnvironment) {
  auto r = run_tool({"sh", "-c", "echo out; echo err >&2; echo $ONLY; echo ${HOME:-nohome}; exit 3"}, kEnv, 10'000);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->output, "out\nerr\nthis\nnohome\n");
}

TEST(RunTool, CheckedNamesTheProgramStatusAndOutput) {
  auto ok = run_tool_checked({"sh", "-c", "printf done"}, kEnv, 10'000);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, "done");
  auto bad = run_tool_checked({"sh", "-c", "echo no such table >&2; exit 1"}, kEnv, 10'000);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::kInternal);
  EXPECT_EQ(bad.error().message, "sh -c failed (exit status 1): no such table");
}

TEST(RunTool, AProgramThatRunsTooLongIsKilled) {
  auto r = run_tool({"sh", "-c", "exec sleep 30"}, kEnv, 200);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kTimeout);
}

TEST(RunTool, AMissingProgramOrNoProgramIsAnError) {
  EXPECT_EQ(run_tool({"no-such-program-here"}, kEnv, 1000).error().code, Errc::kNotFound);
  EXPECT_EQ(run_tool({}, kEnv, 1000).error().code, Errc::kInvalidArgument);
}

TEST(RunTool, OutputBeyondTheBoundIsCutNotBuffered) {
  auto r = run_tool({"sh", "-c", "head -c 200000 /dev/zero"}, kEnv, 10'000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->output.size(), kMaxToolOutput);
}

}  // namespace
}  // namespace movn::ovn
