// The typed errors weft throws. Every misuse and every failed wait has its own type, so callers
// can tell "the channel was closed" from "the operation was cancelled" from "the program is stuck".
#pragma once

#include <stdexcept>
#include <string>

namespace weft {

// Base of every error weft throws.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An invalid option or environment value (procs = 0, WEFT_PROCS=abc, ...).
class config_error : public error {
 public:
  using error::error;
};

// The API was used in a way its contract forbids (a task awaited twice, go() outside a runtime).
class usage_error : public error {
 public:
  using error::error;
};

// Every task waits and nothing (timer, I/O, blocking call) can wake one. The message lists how
// many tasks wait, on what kind of object, and the objects' names.
class deadlock_error : public error {
 public:
  using error::error;
};

// A wait ended because its task was cancelled.
class cancelled : public error {
 public:
  cancelled() : error("weft: operation cancelled") {}
  explicit cancelled(const std::string& what) : error(what) {}
};

// A wait ended because its deadline passed (with_timeout).
class timed_out : public cancelled {
 public:
  timed_out() : cancelled("weft: operation timed out") {}
  explicit timed_out(const std::string& what) : cancelled(what) {}
};

// send() on a closed channel, or a channel destroyed while a task waited on it.
class channel_closed : public error {
 public:
  channel_closed() : error("weft: send on a closed channel") {}
  explicit channel_closed(const std::string& what) : error(what) {}
};

}  // namespace weft
