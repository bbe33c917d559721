#pragma once
// Errors as values: every fallible operation at a boundary returns Result<T>.
// The code says what kind of failure it is (one place maps codes to HTTP statuses
// and CLI exit codes); the message says what was wrong and how to fix it; the
// field names the input field at fault, when there is one.

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace qiusuo {

enum class ErrorCode {
  kInvalidArgument,     // the request is well-formed but a value is wrong (422)
  kMalformed,           // the request could not be parsed at all (400)
  kUnauthenticated,     // no valid credentials (401)
  kPermissionDenied,    // credentials are fine, the act is not allowed (403)
  kNotFound,            // (404)
  kAlreadyExists,       // (409)
  kFailedPrecondition,  // the act does not fit the current state (409)
  kTooLarge,            // the request body is over the limit (413)
  kResourceExhausted,   // rate limited (429)
  kUnavailable,         // a dependency (server, database) is not reachable (503)
  kInternal,            // a bug or an unexpected failure (500)
};

std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;  // empty when no single input field is at fault

  friend bool operator==(const Error&, const Error&) = default;
};

// A value or an Error. [[nodiscard]]: a Result dropped on the floor is an error
// ignored, and the build refuses it (-Werror=unused-result); where dropping is
// meant, say so with a (void) cast and a comment.
template <typename T>
class [[nodiscard]] Result : public std::expected<T, Error> {
 public:
  using std::expected<T, Error>::expected;
  Result() = default;
  Result(std::expected<T, Error> e) : std::expected<T, Error>(std::move(e)) {}  // NOLINT

  friend bool operator==(const Result& a, const Result& b) {
    using Base = std::expected<T, Error>;
    return static_cast<const Base&>(a) == static_cast<const Base&>(b);
  }
};

// Success or an Error.
class [[nodiscard]] Status : public std::expected<void, Error> {
 public:
  using std::expected<void, Error>::expected;
  Status() = default;
  Status(std::expected<void, Error> e) : std::expected<void, Error>(std::move(e)) {}  // NOLINT
};

inline std::unexpected<Error> Fail(ErrorCode code, std::string message, std::string field = {}) {
  return std::unexpected(Error{code, std::move(message), std::move(field)});
}

inline std::unexpected<Error> InvalidArgument(std::string field, std::string message) {
  return Fail(ErrorCode::kInvalidArgument, std::move(message), std::move(field));
}
inline std::unexpected<Error> NotFound(std::string message) {
  return Fail(ErrorCode::kNotFound, std::move(message));
}
inline std::unexpected<Error> PermissionDenied(std::string message) {
  return Fail(ErrorCode::kPermissionDenied, std::move(message));
}
inline std::unexpected<Error> FailedPrecondition(std::string message) {
  return Fail(ErrorCode::kFailedPrecondition, std::move(message));
}
inline std::unexpected<Error> AlreadyExists(std::string message, std::string field = {}) {
  return Fail(ErrorCode::kAlreadyExists, std::move(message), std::move(field));
}
inline std::unexpected<Error> Internal(std::string message) {
  return Fail(ErrorCode::kInternal, std::move(message));
}

// Propagates the error of a Result/Status expression, or yields its value. A GNU
// statement expression (g++ and clang): the closest C++ has to Rust's `?`.
#define QS_TRY(expr)                                                                \
  ({                                                                                \
    auto&& qs_try_result_ = (expr);                                                 \
    if (!qs_try_result_) return std::unexpected(std::move(qs_try_result_).error()); \
    std::move(qs_try_result_).value();                                              \
  })

#define QS_TRY_STATUS(expr)                                                         \
  do {                                                                              \
    auto&& qs_try_status_ = (expr);                                                 \
    if (!qs_try_status_) return std::unexpected(std::move(qs_try_status_).error()); \
  } while (0)

}  // namespace qiusuo

namespace qiusuo {
// The one mapping from error codes to HTTP statuses and CLI exit codes.
int HttpStatusFor(ErrorCode code);
// 0 ok; 1 failed (conflict, invalid input, internal); 2 usage error; 3 not allowed
// (not signed in, permission denied, rate limited); 4 not found; 5 server unreachable.
int ExitCodeFor(ErrorCode code);
ErrorCode ErrorCodeFromName(std::string_view name);
}  // namespace qiusuo
