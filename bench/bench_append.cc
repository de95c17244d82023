// Append benchmark through the daemon API: N requesters, each on its own keep-alive connection to
// the control socket, send `PUT /1.0/config/ovn.central-ips` (one event, one log entry each) with
// a fresh request id, one at a time. Reports commits/s and p50/p99/max latency.
// Also reads GET /1.0/stats before and after, to report synced log writes per commit.
// Usage: microovn-bench-append SOCKET REQUESTERS SECONDS
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {
using Clock = std::chrono::steady_clock;

int connect_unix(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror("connect");
    std::exit(1);
  }
  return fd;
}

// Reads one HTTP response (headers + Content-Length body); returns the status code.
int read_response(int fd, std::string& buf) {
  for (;;) {
    auto end = buf.find("\r\n\r\n");
    if (end != std::string::npos) {
      auto cl = buf.find("Content-Length: ");
      if (cl == std::string::npos || cl > end) cl = buf.find("content-length: ");
      std::size_t len = cl == std::string::npos ? 0 : std::strtoul(buf.c_str() + cl + 16, nullptr, 10);
      if (buf.size() >= end + 4 + len) {
        int status = std::atoi(buf.c_str() + 9);
        buf.erase(0, end + 4 + len);
        return status;
      }
    }
    char tmp[8192];
    ssize_t n = read(fd, tmp, sizeof tmp);
    if (n <= 0) return -1;
    buf.append(tmp, static_cast<std::size_t>(n));
  }
}
// GET /1.0/stats -> synced_writes.
long synced_writes(const std::string& socket_path) {
  int fd = connect_unix(socket_path);
  std::string req = "GET /1.0/stats HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n";
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) return -1;
  std::string buf;
  std::string all;
  char tmp[4096];
  while (all.find("}}") == std::string::npos) {
    ssize_t n = read(fd, tmp, sizeof tmp);
    if (n <= 0) break;
    all.append(tmp, static_cast<std::size_t>(n));
  }
  close(fd);
  auto pos = all.find("\"synced_writes\":");
  return pos == std::string::npos ? -1 : std::atol(all.c_str() + pos + 16);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: microovn-bench-append SOCKET REQUESTERS SECONDS\n");
    return 2;
  }
  std::string socket_path = argv[1];
  int requesters = std::atoi(argv[2]);
  double seconds = std::atof(argv[3]);
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latencies(requesters);
  std::atomic<long> errors{0};
  std::vector<std::thread> threads;
  auto run_id = std::to_string(Clock::now().time_since_epoch().count());
  for (int t = 0; t < requesters; ++t) {
    threads.emplace_back([&, t] {
      int fd = connect_unix(socket_path);
      std::string buf;
      const std::string body = "{\"value\":\"10.0.0." + std::to_string(t % 250 + 1) + "\"}";
      for (long i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        std::string req = "PUT /1.0/config/ovn.central-ips HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: b" +
                          run_id + "-" + std::to_string(t) + "-" + std::to_string(i) +
                          "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
        auto start = Clock::now();
        if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
          errors++;
          break;
        }
        int status = read_response(fd, buf);
        auto us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
        if (status != 200) {
          errors++;
          if (status < 0) break;
          continue;
        }
        latencies[t].push_back(us);
      }
      close(fd);
    });
  }
  long syncs_before = synced_writes(socket_path);
  auto begin = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : threads) th.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
  long syncs = synced_writes(socket_path) - syncs_before;
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[std::min(all.size() - 1, std::size_t(p * all.size()))]; };
  std::printf("requesters=%d commits=%zu seconds=%.2f commits_per_s=%.0f p50_us=%.0f p99_us=%.0f max_us=%.0f "
              "synced_writes_per_commit=%.3f errors=%ld\n",
              requesters, all.size(), elapsed, all.size() / elapsed, pct(0.50), pct(0.99),
              all.empty() ? 0.0 : all.back(), all.empty() ? 0.0 : double(syncs) / all.size(), errors.load());
  return errors.load() == 0 ? 0 : 1;
}
