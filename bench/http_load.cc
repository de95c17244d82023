#include "bench/http_load.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>

namespace movn::bench {
namespace {
using Clock = std::chrono::steady_clock;

bool write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

// Reads more bytes into buf; false on EOF or error.
bool fill(int fd, std::string& buf) {
  char tmp[16384];
  for (;;) {
    ssize_t n = read(fd, tmp, sizeof tmp);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buf.append(tmp, static_cast<std::size_t>(n));
    return true;
  }
}

// The end of the line starting at `pos` (the index of its "\r\n"), reading as needed; npos on EOF.
std::size_t line_end(int fd, std::string& buf, std::size_t pos) {
  for (;;) {
    auto e = buf.find("\r\n", pos);
    if (e != std::string::npos) return e;
    if (!fill(fd, buf)) return std::string::npos;
  }
}

bool ensure(int fd, std::string& buf, std::size_t size) {
  while (buf.size() < size)
    if (!fill(fd, buf)) return false;
  return true;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string request_text(const std::string& method, const std::string& path, const std::string& content_type,
                         const std::string& request_id, const std::string& body) {
  std::string r = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n";
  if (!content_type.empty()) r += "Content-Type: " + content_type + "\r\n";
  if (!request_id.empty()) r += "X-Request-Id: " + request_id + "\r\n";
  r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  r += body;
  return r;
}
}  // namespace

std::string Endpoint::to_string() const {
  return is_unix ? "unix:" + path : host + ":" + std::to_string(port);
}

std::optional<Endpoint> parse_endpoint(const std::string& text) {
  Endpoint e;
  if (text.starts_with("unix:")) {
    e.path = text.substr(5);
    return e.path.empty() ? std::nullopt : std::optional(e);
  }
  std::string t = text.starts_with("tcp:") ? text.substr(4) : text;
  if (!text.starts_with("tcp:") && t.find('/') != std::string::npos) {
    e.path = t;
    return e;
  }
  auto colon = t.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  e.is_unix = false;
  e.host = t.substr(0, colon);
  char* end = nullptr;
  long port = std::strtol(t.c_str() + colon + 1, &end, 10);
  in_addr probe{};
  if (*end != '\0' || port <= 0 || port > 65535 || inet_pton(AF_INET, e.host.c_str(), &probe) != 1) return std::nullopt;
  e.port = static_cast<int>(port);
  return e;
}

int connect_endpoint(const Endpoint& e) {
  int fd = -1;
  if (e.is_unix) {
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (e.path.size() >= sizeof addr.sun_path) {
      std::fprintf(stderr, "socket path too long: %s\n", e.path.c_str());
      close(fd);
      return -1;
    }
    std::memcpy(addr.sun_path, e.path.c_str(), e.path.size() + 1);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      std::fprintf(stderr, "connect %s: %s\n", e.to_string().c_str(), std::strerror(errno));
      close(fd);
      return -1;
    }
    return fd;
  }
  fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(e.port));
  inet_pton(AF_INET, e.host.c_str(), &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::fprintf(stderr, "connect %s: %s\n", e.to_string().c_str(), std::strerror(errno));
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

int read_response(int fd, std::string& buf, std::string* body) {
  // Status line and headers.
  std::size_t head_end;
  for (;;) {
    head_end = buf.find("\r\n\r\n");
    if (head_end != std::string::npos) break;
    if (!fill(fd, buf)) return -1;
  }
  if (!buf.starts_with("HTTP/1.") || buf.size() < 12) return -1;
  int status = std::atoi(buf.c_str() + 9);
  bool chunked = false;
  std::size_t length = 0;
  std::size_t pos = buf.find("\r\n") + 2;
  while (pos < head_end + 2) {
    auto e = buf.find("\r\n", pos);
    std::string line = buf.substr(pos, e - pos);
    pos = e + 2;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = lower(line.substr(0, colon));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    if (name == "content-length") length = std::strtoul(value.c_str(), nullptr, 10);
    if (name == "transfer-encoding" && lower(value).find("chunked") != std::string::npos) chunked = true;
  }
  pos = head_end + 4;
  if (body != nullptr) body->clear();
  if (!chunked) {
    if (!ensure(fd, buf, pos + length)) return -1;
    if (body != nullptr) body->assign(buf, pos, length);
    buf.erase(0, pos + length);
    return status;
  }
  for (;;) {
    auto e = line_end(fd, buf, pos);
    if (e == std::string::npos) return -1;
    std::size_t size = std::strtoul(buf.c_str() + pos, nullptr, 16);
    pos = e + 2;
    if (size == 0) break;
    if (!ensure(fd, buf, pos + size + 2)) return -1;
    if (body != nullptr) body->append(buf, pos, size);
    pos += size + 2;
  }
  // Trailers, up to an empty line.
  for (;;) {
    auto e = line_end(fd, buf, pos);
    if (e == std::string::npos) return -1;
    bool empty = e == pos;
    pos = e + 2;
    if (empty) break;
  }
  buf.erase(0, pos);
  return status;
}

int http_request(const Endpoint& e, const std::string& method, const std::string& path, const std::string& body,
                 std::string* response_body) {
  int fd = connect_endpoint(e);
  if (fd < 0) return -1;
  std::string buf;
  int status = write_all(fd, request_text(method, path, body.empty() ? "" : "application/json", "", body))
                   ? read_response(fd, buf, response_body)
                   : -1;
  close(fd);
  return status;
}

std::string random_hex32() {
  thread_local std::mt19937_64 gen{(static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}()};
  char out[33];
  std::snprintf(out, sizeof out, "%016llx%016llx", static_cast<unsigned long long>(gen()),
                static_cast<unsigned long long>(gen()));
  return out;
}

double LoadResult::percentile_us(double p) const {
  if (latencies_us.empty()) return 0;
  return latencies_us[std::min(latencies_us.size() - 1, static_cast<std::size_t>(p * latencies_us.size()))];
}

LoadResult run_load(const std::vector<Endpoint>& endpoints, int clients, double seconds, double warmup,
                    const LoadSpec& spec) {
  std::atomic<int> connected{0};
  std::atomic<bool> go{false}, measuring{false}, stop{false};
  std::vector<std::vector<double>> latencies(clients);
  std::vector<long> errors(clients, 0);
  std::vector<std::size_t> all_ok(clients, 0);
  std::vector<std::string> first_error(clients);
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      const Endpoint& ep = endpoints[t % endpoints.size()];
      const std::string body = spec.body ? spec.body(t) : std::string();
      const std::string plain = spec.request_id ? "" : request_text(spec.method, spec.path, spec.content_type, "", body);
      int fd = connect_endpoint(ep);
      connected++;
      while (!go.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      std::string buf, answer;
      while (!stop.load(std::memory_order_relaxed)) {
        if (fd < 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
          fd = connect_endpoint(ep);
          if (fd < 0) {
            errors[t]++;
            continue;
          }
          buf.clear();
        }
        const std::string req = spec.request_id
                                    ? request_text(spec.method, spec.path, spec.content_type, random_hex32(), body)
                                    : plain;
        auto start = Clock::now();
        int status = write_all(fd, req) ? read_response(fd, buf, &answer) : -1;
        auto us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
        if (status == 200) {
          all_ok[t]++;
          if (measuring.load(std::memory_order_relaxed)) latencies[t].push_back(us);
          continue;
        }
        if (errors[t]++ == 0)
          first_error[t] = ep.to_string() + ": " + (status < 0 ? "connection broke" : std::to_string(status) + " " + answer);
        if (status < 0) {
          close(fd);
          fd = -1;
        }
      }
      if (fd >= 0) close(fd);
    });
  }
  while (connected.load() < clients) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  go = true;
  std::this_thread::sleep_for(std::chrono::duration<double>(warmup));
  auto begin = Clock::now();
  measuring = true;
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  measuring = false;
  auto end = Clock::now();
  stop = true;
  for (auto& th : threads) th.join();

  LoadResult r;
  r.seconds = std::chrono::duration<double>(end - begin).count();
  r.per_endpoint.assign(endpoints.size(), 0);
  for (int t = 0; t < clients; ++t) {
    r.latencies_us.insert(r.latencies_us.end(), latencies[t].begin(), latencies[t].end());
    r.per_endpoint[t % endpoints.size()] += latencies[t].size();
    r.errors += errors[t];
    r.all_ok += all_ok[t];
    if (r.first_error.empty()) r.first_error = first_error[t];
  }
  std::sort(r.latencies_us.begin(), r.latencies_us.end());
  return r;
}

long synced_writes(const Endpoint& e) {
  std::string body;
  if (http_request(e, "GET", "/1.0/stats", "", &body) != 200) return -1;
  auto pos = body.find("\"synced_writes\":");
  return pos == std::string::npos ? -1 : std::atol(body.c_str() + pos + 16);
}

}  // namespace movn::bench
