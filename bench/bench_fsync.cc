// The machine's fsync rate: 4 KiB writes, each followed by fdatasync, for the given seconds.
// Usage: microovn-bench-fsync DIR SECONDS
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: microovn-bench-fsync DIR SECONDS\n");
    return 2;
  }
  std::string path = std::string(argv[1]) + "/fsync-probe";
  double seconds = std::atof(argv[2]);
  int fd = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
  if (fd < 0) return 1;
  char block[4096] = {};
  long n = 0;
  auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    if (write(fd, block, sizeof block) != sizeof block || fdatasync(fd) != 0) return 1;
    ++n;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  close(fd);
  unlink(path.c_str());
  std::printf("fdatasyncs_per_s=%.0f (4 KiB appends)\n", n / elapsed);
  return 0;
}
