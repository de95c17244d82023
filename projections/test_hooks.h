// Test-only switches that reintroduce known bugs into the projections, so the simulator's
// checkers can prove they catch them (planted bugs). They exist only in projections_testing,
// built with MOVN_PROJECTIONS_TEST_HOOKS; the production projections library has none.
// Not thread-safe: set before a run.
#pragma once

namespace movn::projections {

struct TestHooks {
  // Apply folds a batch whose request id is already recorded (the bug the dedup check fixes).
  bool apply_without_dedup = false;
};

#ifdef MOVN_PROJECTIONS_TEST_HOOKS
TestHooks& test_hooks();
#endif

}  // namespace movn::projections
