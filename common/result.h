// Result<T>: the project's error-as-value type (docs/design.md §6).
// GCC 12's std::expected lacks and_then/transform, so this is our own small class.
// Value type; not thread-safe beyond what T is.
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace movn {

// Error categories shared by every module; the message says which layer failed and why.
enum class Errc : std::uint8_t {
  kInvalidArgument = 1,  // bad input from a user or peer
  kNotFound,             // the thing named does not exist
  kAlreadyExists,        // the thing named exists already
  kConflict,             // a concurrent change won
  kFailedPrecondition,   // the system is not in a state that allows this
  kUnavailable,          // not ready or not reachable; retry may help
  kTimeout,              // a deadline passed
  kIo,                   // a read, write or sync failed
  kCorruption,           // stored data does not verify
  kPermissionDenied,     // not allowed
  kTooLarge,             // input over a size bound
  kInternal,             // a bug
};

constexpr std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::kInvalidArgument: return "invalid argument";
    case Errc::kNotFound: return "not found";
    case Errc::kAlreadyExists: return "already exists";
    case Errc::kConflict: return "conflict";
    case Errc::kFailedPrecondition: return "failed precondition";
    case Errc::kUnavailable: return "unavailable";
    case Errc::kTimeout: return "timeout";
    case Errc::kIo: return "i/o error";
    case Errc::kCorruption: return "corruption";
    case Errc::kPermissionDenied: return "permission denied";
    case Errc::kTooLarge: return "too large";
    case Errc::kInternal: return "internal error";
  }
  return "unknown";
}

struct [[nodiscard]] Error {
  Errc code = Errc::kInternal;
  std::string message;

  // Adds one clause for the calling layer: "failed to join: token expired".
  Error wrap(std::string_view clause) const& {
    return Error{code, std::string(clause) + ": " + message};
  }
  Error wrap(std::string_view clause) && {
    message.insert(0, std::string(clause) + ": ");
    return std::move(*this);
  }
};

inline Error make_error(Errc code, std::string message) { return Error{code, std::move(message)}; }

template <class T>
class [[nodiscard]] Result;

template <class R>
struct IsResult : std::false_type {};
template <class T>
struct IsResult<Result<T>> : std::true_type {};

template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(const T& v) : data_(std::in_place_index<0>, v) {}  // NOLINT: implicit by design
  Result(T&& v) : data_(std::in_place_index<0>, std::move(v)) {}  // NOLINT
  Result(Error e) : data_(std::in_place_index<1>, std::move(e)) {}  // NOLINT
  template <class U>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
             !std::is_same_v<std::decay_t<U>, Error> && !IsResult<std::decay_t<U>>::value)
  Result(U&& v) : data_(std::in_place_index<0>, T(std::forward<U>(v))) {}  // NOLINT

  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(data_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(data_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(data_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& {
    assert(!ok());
    return std::get<1>(data_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(data_));
  }

  template <class U>
  T value_or(U&& fallback) const& {
    return ok() ? value() : T(std::forward<U>(fallback));
  }

  // f: T -> Result<U>
  template <class F>
  auto and_then(F&& f) && -> std::invoke_result_t<F, T&&> {
    if (!ok()) return std::move(*this).error();
    return std::forward<F>(f)(std::move(*this).value());
  }
  template <class F>
  auto and_then(F&& f) const& -> std::invoke_result_t<F, const T&> {
    if (!ok()) return error();
    return std::forward<F>(f)(value());
  }

  // f: T -> U (U may be void)
  template <class F>
  auto transform(F&& f) && -> Result<std::invoke_result_t<F, T&&>> {
    using U = std::invoke_result_t<F, T&&>;
    if (!ok()) return std::move(*this).error();
    if constexpr (std::is_void_v<U>) {
      std::forward<F>(f)(std::move(*this).value());
      return Result<U>();  // dependent on purpose: Result<void> is not yet complete here
    } else {
      return Result<U>(std::forward<F>(f)(std::move(*this).value()));
    }
  }
  template <class F>
  auto transform(F&& f) const& -> Result<std::invoke_result_t<F, const T&>> {
    using U = std::invoke_result_t<F, const T&>;
    if (!ok()) return error();
    if constexpr (std::is_void_v<U>) {
      std::forward<F>(f)(value());
      return Result<U>();
    } else {
      return Result<U>(std::forward<F>(f)(value()));
    }
  }

  // Adds a clause to the error, if any.
  Result wrap_error(std::string_view clause) && {
    if (ok()) return std::move(*this);
    return std::move(*this).error().wrap(clause);
  }

 private:
  std::variant<T, Error> data_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;
  Result() = default;
  Result(Error e) : error_(std::move(e)) {}  // NOLINT

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  void value() const { assert(ok()); }
  const Error& error() const& {
    assert(!ok());
    return *error_;
  }
  Error&& error() && {
    assert(!ok());
    return std::move(*error_);
  }

  template <class F>
  auto and_then(F&& f) const -> std::invoke_result_t<F> {
    if (!ok()) return error();
    return std::forward<F>(f)();
  }
  template <class F>
  auto transform(F&& f) const -> Result<std::invoke_result_t<F>> {
    using U = std::invoke_result_t<F>;
    if (!ok()) return error();
    if constexpr (std::is_void_v<U>) {
      std::forward<F>(f)();
      return Result<void>();
    } else {
      return Result<U>(std::forward<F>(f)());
    }
  }
  Result wrap_error(std::string_view clause) && {
    if (ok()) return {};
    return std::move(*this).error().wrap(clause);
  }

 private:
  std::optional<Error> error_;
};

inline Result<void> ok_result() { return {}; }

}  // namespace movn

// Propagates an error from an expression yielding Result<void>.
#define MOVN_TRY(expr)                                 \
  do {                                                 \
    auto movn_try_result_ = (expr);                    \
    if (!movn_try_result_.ok()) return std::move(movn_try_result_).error(); \
  } while (0)

#define MOVN_CONCAT_INNER(a, b) a##b
#define MOVN_CONCAT(a, b) MOVN_CONCAT_INNER(a, b)
// Binds the value of a Result<T> expression to `lhs`, or returns its error.
#define MOVN_ASSIGN_OR_RETURN(lhs, expr)                                             \
  auto MOVN_CONCAT(movn_res_, __LINE__) = (expr);                                    \
  if (!MOVN_CONCAT(movn_res_, __LINE__).ok())                                        \
    return std::move(MOVN_CONCAT(movn_res_, __LINE__)).error();                      \
  lhs = std::move(MOVN_CONCAT(movn_res_, __LINE__)).value()
