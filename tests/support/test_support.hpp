// Shared helpers for weft's tests.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <string>

namespace weft::testing {

// Stress sizes: full size in optimized builds, a tenth under sanitizers (which run 5-20x
// slower), and WEFT_SOAK=N multiplies either for a long soak run on request.
inline std::size_t scaled(std::size_t n) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  n = n / 10 ? n / 10 : 1;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  n = n / 10 ? n / 10 : 1;
#endif
#endif
  if (const char* soak = std::getenv("WEFT_SOAK")) {  // NOLINT(concurrency-mt-unsafe)
    auto k = std::strtoul(soak, nullptr, 10);
    if (k > 0) n *= k;
  }
  return n;
}

// True in a sanitizer build, where everything runs 5-20x slower: a "short" task run is not.
constexpr bool sanitized() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  return true;
#else
  return false;
#endif
#else
  return false;
#endif
}

// Sets an environment variable for the life of the object.
class scoped_env {
 public:
  scoped_env(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) {  // NOLINT(concurrency-mt-unsafe)
      had_ = true;
      old_ = old;
    }
    if (value) {
      setenv(name, value, 1);  // NOLINT(concurrency-mt-unsafe)
    } else {
      unsetenv(name);  // NOLINT(concurrency-mt-unsafe)
    }
  }
  ~scoped_env() {
    if (had_) {
      setenv(name_.c_str(), old_.c_str(), 1);  // NOLINT(concurrency-mt-unsafe)
    } else {
      unsetenv(name_.c_str());  // NOLINT(concurrency-mt-unsafe)
    }
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

 private:
  std::string name_;
  std::string old_;
  bool had_ = false;
};

}  // namespace weft::testing
