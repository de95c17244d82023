// CLI round trip: runs `microovn --state-dir DIR cluster list` N times (fork + exec, output to
// /dev/null) and reports the median and p90 wall time.
// Usage: microovn-bench-cli MICROOVN_BINARY STATE_DIR RUNS
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: microovn-bench-cli MICROOVN_BINARY STATE_DIR RUNS\n");
    return 2;
  }
  int runs = std::atoi(argv[3]);
  std::vector<double> ms;
  int devnull = open("/dev/null", O_WRONLY);
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid == 0) {
      dup2(devnull, STDOUT_FILENO);
      execl(argv[1], argv[1], "--state-dir", argv[2], "cluster", "list", static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::fprintf(stderr, "cluster list failed\n");
      return 1;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("runs=%d median_ms=%.2f p90_ms=%.2f min_ms=%.2f\n", runs, ms[ms.size() / 2],
              ms[ms.size() * 9 / 10], ms.front());
  return 0;
}
