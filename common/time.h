// Time helpers: the wall clock in milliseconds, the Clock seam, and RFC 3339 UTC formatting.
// The only wall-clock read is here; pure functions otherwise. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>

namespace movn {

inline std::uint64_t wall_clock_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// The clock the host loop reads for cluster time and the election seed: the system clock in the
// daemon, one the test or simulator sets elsewhere, so a run can be replayed exactly.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::uint64_t now_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::uint64_t now_ms() const override { return wall_clock_ms(); }
};

inline const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

// The system clock moved by a fixed number of seconds (microovnd --clock-offset: tests of what
// happens as certificates near their expiry, without waiting for it).
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(std::int64_t offset_s) : offset_ms_(offset_s * 1000) {}
  std::uint64_t now_ms() const override {
    const auto now = static_cast<std::int64_t>(wall_clock_ms()) + offset_ms_;
    return now > 0 ? static_cast<std::uint64_t>(now) : 0;
  }

 private:
  std::int64_t offset_ms_;
};

// 2026-11-23T20:00:00Z, or 2026-11-23T20:00:00.123Z with millis.
inline std::string format_rfc3339(std::uint64_t ms, bool with_millis = false) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  if (with_millis) {
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03u", static_cast<unsigned>(ms % 1000));
    out += frac;
  }
  out += 'Z';
  return out;
}

// Go's time.Time.String() of a UTC time, as upstream prints certificate expiry:
// "2027-06-25 10:00:00 +0000 UTC".
inline std::string format_go_utc(std::int64_t unix_s) {
  std::time_t secs = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[48];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
  return std::string(buf, n);
}

}  // namespace movn
