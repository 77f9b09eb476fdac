// The trace writer (see trace.hpp for what is recorded and how).
#include "observe/trace.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <new>
#include <unordered_map>

#include "core/clock.hpp"
#include "observe/task_classes.hpp"

namespace weft::detail {

namespace {
constexpr std::size_t k_default_buffer_mb = 64;
// At most this much of the buffer is taken and touched up front (tracer::reserve); a larger
// bound grows on demand past it, so asking for room does not cost its whole RSS at start.
constexpr std::size_t k_reserve_mb = k_default_buffer_mb;
constexpr std::uint64_t k_sample_ns = 100'000;  // counter tracks: at most one sample per 100 us

std::size_t buffer_chunks_from_env() {
  std::size_t mb = k_default_buffer_mb;
  if (const char* env = std::getenv("WEFT_TRACE_BUFFER_MB"); env && *env) {  // NOLINT
    std::size_t v = 0;
    auto [end, ec] = std::from_chars(env, env + std::strlen(env), v);
    if (ec == std::errc{} && *end == '\0' && v > 0) {
      mb = v;
    } else {
      std::fprintf(stderr, "weft: WEFT_TRACE_BUFFER_MB='%s' is not a positive integer; using %zu\n",
                   env, k_default_buffer_mb);
    }
  }
  auto chunks = mb * 1024 * 1024 / sizeof(trace_chunk);
  return chunks < 4 ? 4 : chunks;
}

void append_escaped(std::string& out, std::string_view s) {
  for (char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      out += ' ';
    } else {
      out += ch;
    }
  }
}

template <class T>
void append_num(std::string& out, T v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// Microseconds with nanosecond resolution, the unit Chrome's format uses.
void append_us(std::string& out, std::uint64_t ns) {
  append_num(out, ns / 1000);
  out += '.';
  auto frac = ns % 1000;
  out += static_cast<char>('0' + frac / 100);
  out += static_cast<char>('0' + frac / 10 % 10);
  out += static_cast<char>('0' + frac % 10);
}

// "file.cpp:42": the class's name in the trace (its spawn site; the directory is noise).
std::string class_name(const void* key) {
  if (!key) return "task";
  if (key == &k_other_classes) return "other";
  auto site = class_site(key);
  std::string_view file = site.file_name() ? site.file_name() : "";
  if (auto slash = file.rfind('/'); slash != std::string_view::npos) file.remove_prefix(slash + 1);
  if (file.empty()) return "task";
  std::string s(file);
  s += ':';
  s += std::to_string(site.line());
  return s;
}
}  // namespace

std::unique_ptr<tracer> tracer::from_env(const std::string& runtime_name, int procs) {
  const char* path = std::getenv("WEFT_TRACE");  // NOLINT(concurrency-mt-unsafe)
  if (!path || !*path) return nullptr;
  std::FILE* f = std::fopen(path, "w");
  if (!f) {
    std::fprintf(stderr, "weft: WEFT_TRACE=%s: cannot open for writing (%s); tracing is off\n",
                 path, std::strerror(errno));
    return nullptr;
  }
  const char* stream = std::getenv("WEFT_TRACE_STREAM");  // NOLINT(concurrency-mt-unsafe)
  bool streaming = stream && *stream && std::string_view(stream) != "0";
  return std::unique_ptr<tracer>(
      new tracer(f, path, runtime_name, procs, buffer_chunks_from_env(), streaming));
}

tracer::tracer(std::FILE* f, std::string path, std::string runtime_name, int procs,
               std::size_t max_chunks, bool streaming)
    : file_(f),
      path_(std::move(path)),
      name_(std::move(runtime_name)),
      procs_(procs),
      max_chunks_(max_chunks),
      streaming_(streaming),
      t0_(ticks()),
      sample_ticks_(ns_to_ticks(k_sample_ns)) {
  out_ = "{\"traceEvents\":[\n";
  reserve();
  if (streaming_) writer_ = std::thread([this] { writer_loop(); });
}

tracer::~tracer() {
  if (!finished_) finish({});
  for (auto* slab : slabs_) std::free(slab);  // NOLINT(cppcoreguidelines-no-malloc)
}

namespace {
// Aligned to its size, so the kernel can back it with one huge page (transparent huge pages, on
// request: MADV_HUGEPAGE). Where it cannot, the slab is ordinary memory. Null when out of memory.
void* new_slab(std::size_t bytes) noexcept {
  void* p = std::aligned_alloc(bytes, bytes);  // NOLINT(cppcoreguidelines-no-malloc)
#ifdef MADV_HUGEPAGE
  if (p) madvise(p, bytes, MADV_HUGEPAGE);
#endif
  return p;
}
}  // namespace

void tracer::reserve() noexcept {
  static_assert(k_slab / sizeof(trace_chunk) >= 8, "a slab holds several chunks");
  const std::size_t per_slab = k_slab / sizeof(trace_chunk);
  const std::size_t chunks =
      std::min(max_chunks_, k_reserve_mb * 1024 * 1024 / sizeof(trace_chunk));
  const std::size_t want = (chunks + per_slab - 1) / per_slab;
  try {
    slabs_.reserve(want);
  } catch (...) {
    return;  // the slabs come one by one as the buffer grows, as they would without this
  }
  constexpr std::size_t k_page = 4096;
  for (std::size_t i = 0; i < want; ++i) {
    auto* p = static_cast<char*>(new_slab(k_slab));
    if (!p) return;  // the rest on demand (new_chunk), where a failure drops events
    // One write a page faults it in (the whole huge page where the kernel gave one).
    for (std::size_t off = 0; off < k_slab; off += k_page) {
      *static_cast<volatile char*>(p + off) = 0;
    }
    slabs_.push_back(p);
  }
}

trace_chunk* tracer::new_chunk() noexcept {
  if (slab_left_ == 0) {
    void* p = nullptr;
    if (slabs_used_ < slabs_.size()) {
      p = slabs_[slabs_used_];  // reserved and touched at the start
    } else {
      p = new_slab(k_slab);
      if (!p) return nullptr;
      try {
        slabs_.push_back(p);
      } catch (...) {
        std::free(p);  // NOLINT(cppcoreguidelines-no-malloc)
        return nullptr;
      }
    }
    ++slabs_used_;
    slab_next_ = static_cast<char*>(p);
    slab_left_ = k_slab / sizeof(trace_chunk);
  }
  // Default-initialized: the events are not zeroed.
  auto* c = new (slab_next_) trace_chunk;
  slab_next_ += sizeof(trace_chunk);
  --slab_left_;
  return c;
}

trace_chunk* tracer::fresh(int worker) noexcept {
  std::lock_guard g(m_);
  trace_chunk* c = nullptr;
  if (!free_.empty()) {
    c = free_.back();
    free_.pop_back();
  } else {
    c = new_chunk();
    if (!c) {
      // At the runtime's start, before any event: a failed new ended the process here too.
      std::fputs("weft: out of memory for the trace buffer\n", stderr);
      std::abort();
    }
    ++allocated_;
  }
  c->worker = worker;
  c->n = 0;
  return c;
}

trace_chunk* tracer::swap(trace_chunk* full) noexcept {
  std::unique_lock g(m_);
  if (free_.empty() && allocated_ >= max_chunks_) {
    // The buffer is full. A worker never waits for the trace: by default the oldest recorded
    // chunk is overwritten (a ring: the trace keeps the newest events); when streaming, the
    // writer is behind by the whole buffer and these newest events are dropped instead.
    if (streaming_ || full_.empty()) {
      drop(*full);
      full->n = 0;
      return full;
    }
    auto* oldest = full_.front();
    full_.pop_front();
    drop(*oldest);
    full_.push_back(full);
    oldest->worker = full->worker;
    oldest->n = 0;
    return oldest;
  }
  full_.push_back(full);
  trace_chunk* c = nullptr;
  if (!free_.empty()) {
    c = free_.back();
    free_.pop_back();
  } else {
    // Allocation is rare (the buffer grows to its working size once) and under the lock only
    // because the slabs are shared; a failure drops the events instead of ending the process.
    auto* raw = new_chunk();
    if (!raw) {
      full_.pop_back();
      drop(*full);
      full->n = 0;
      return full;
    }
    c = raw;
    ++allocated_;
  }
  g.unlock();
  if (streaming_) cv_.notify_one();
  c->worker = full->worker;
  c->n = 0;
  return c;
}

void tracer::drop(const trace_chunk& c) noexcept {
  // Rare (the buffer is full) and under m_ anyway: a pass over the chunk so the file can say
  // how many task runs went with the events.
  dropped_ += c.n;
  for (std::uint32_t i = 0; i < c.n; ++i) {
    if (c.ev[i].kind == trace_kind::slice) ++dropped_runs_;
    if (c.ev[i].kind == trace_kind::runs) dropped_runs_ += c.ev[i].id;
  }
}

void tracer::recycle(trace_chunk* c) noexcept {
  std::lock_guard g(m_);
  free_.push_back(c);
}

void tracer::writer_loop() {
  // Idle priority: on a loaded machine the writer runs only when a core would otherwise idle,
  // so tracing does not take CPU from the workers it is watching. What it has not written when
  // the run ends, finish() writes.
  sched_param p{};
  pthread_setschedparam(pthread_self(), SCHED_IDLE, &p);
  for (;;) {
    trace_chunk* c = nullptr;
    {
      std::unique_lock g(m_);
      cv_.wait(g, [&] { return stop_ || !full_.empty(); });
      if (stop_) return;
      c = full_.front();
      full_.pop_front();
    }
    write_chunk(*c);
    recycle(c);
  }
}

void tracer::write_chunk(const trace_chunk& c) {
  thread_local std::unordered_map<const void*, std::string> names;
  const double ns_tick = ns_per_tick();
  auto rel_ns = [&](std::uint64_t t) {
    return t > t0_ ? static_cast<std::uint64_t>(static_cast<double>(t - t0_) * ns_tick) : 0;
  };
  auto head = [&](const char* ph, std::uint64_t t) {
    ++written_;
    out_ += first_event_ ? "" : ",\n";
    first_event_ = false;
    out_ += "{\"ph\":\"";
    out_ += ph;
    out_ += "\",\"pid\":1,\"tid\":";
    append_num(out_, c.worker);
    out_ += ",\"ts\":";
    append_us(out_, rel_ns(t));
  };
  // A task slice (one run, or a class's coalesced runs), left open for its args.
  auto task_slice = [&](const trace_event& e) {
    auto it = names.find(e.key);
    if (it == names.end()) it = names.emplace(e.key, class_name(e.key)).first;
    head("X", e.t);
    out_ += ",\"dur\":";
    append_us(out_, static_cast<std::uint64_t>(static_cast<double>(e.v) * ns_tick));
    out_ += ",\"cat\":\"task\",\"name\":\"";
    append_escaped(out_, it->second);
    out_ += '"';
  };
  for (std::uint32_t i = 0; i < c.n; ++i) {
    const auto& e = c.ev[i];
    switch (e.kind) {
      case trace_kind::slice:
        if (e.id != 0) {
          // The arrow's head, bound to the run it starts ("bp":"e": the enclosing slice).
          head("f", e.t);
          out_ += ",\"bp\":\"e\",\"cat\":\"wake\",\"name\":\"wake\",\"id\":";
          append_num(out_, e.id);
          out_ += '}';
        }
        task_slice(e);
        out_ += '}';
        break;
      case trace_kind::runs:
        task_slice(e);
        out_ += ",\"args\":{\"runs\":";
        append_num(out_, e.id);
        out_ += "}}";
        break;
      case trace_kind::flow_out:
        head("s", e.t);
        out_ += ",\"cat\":\"wake\",\"name\":\"wake\",\"id\":";
        append_num(out_, e.id);
        out_ += '}';
        break;
      case trace_kind::steal:
        head("i", e.t);
        out_ += ",\"s\":\"t\",\"cat\":\"sched\",\"name\":\"steal\",\"args\":{\"from\":";
        append_num(out_, e.id);
        out_ += "}}";
        break;
      case trace_kind::park:
        head("i", e.t);
        out_ += ",\"s\":\"t\",\"cat\":\"sched\",\"name\":\"park\",\"args\":{\"parked_us\":";
        append_us(out_, static_cast<std::uint64_t>(static_cast<double>(e.v) * ns_tick));
        out_ += "}}";
        break;
      case trace_kind::queue:
        head("C", e.t);
        out_ += ",\"name\":\"run queue w";
        append_num(out_, c.worker);
        out_ += "\",\"args\":{\"tasks\":";
        append_num(out_, e.v);
        out_ += "}}";
        break;
      case trace_kind::alive:
        head("C", e.t);
        out_ += ",\"name\":\"tasks alive\",\"args\":{\"tasks\":";
        append_num(out_, e.v);
        out_ += "}}";
        break;
    }
    if (out_.size() > (1u << 20)) {
      std::fwrite(out_.data(), 1, out_.size(), file_);
      out_.clear();
    }
  }
}

void tracer::write_metadata() {
  auto meta = [&](const char* what, int tid, const std::string& value, const char* key) {
    out_ += first_event_ ? "" : ",\n";
    first_event_ = false;
    out_ += "{\"ph\":\"M\",\"pid\":1,\"tid\":";
    append_num(out_, tid);
    out_ += ",\"name\":\"";
    out_ += what;
    out_ += "\",\"args\":{\"";
    out_ += key;
    out_ += "\":";
    out_ += value;
    out_ += "}}";
  };
  std::string pname = "\"weft";
  if (!name_.empty()) {
    pname += ": ";
    append_escaped(pname, name_);
  }
  pname += '"';
  meta("process_name", 0, pname, "name");
  for (int w = 0; w < procs_; ++w) {
    meta("thread_name", w, "\"worker " + std::to_string(w) + "\"", "name");
    meta("thread_sort_index", w, std::to_string(w), "sort_index");
  }
}

void tracer::finish(const std::vector<trace_chunk*>& last) {
  finished_ = true;
  {
    std::lock_guard g(m_);
    stop_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  // The workers have stopped: what is left is written here, at normal priority.
  std::deque<trace_chunk*> rest;
  {
    std::lock_guard g(m_);
    rest.swap(full_);
  }
  for (auto* c : rest) write_chunk(*c);
  for (auto* c : last) {
    if (c) write_chunk(*c);
  }
  write_metadata();
  out_ +=
      "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"schema\":\"weft.trace/1\",\"runtime\":\"";
  append_escaped(out_, name_);
  out_ += "\",\"procs\":";
  append_num(out_, procs_);
  out_ += ",\"events\":";
  append_num(out_, written_);
  out_ += ",\"dropped_events\":";
  append_num(out_, dropped_);
  out_ += ",\"dropped_runs\":";
  append_num(out_, dropped_runs_);
  out_ += "}}\n";
  std::fwrite(out_.data(), 1, out_.size(), file_);
  out_.clear();
  bool failed = std::ferror(file_) != 0;
  failed |= std::fclose(file_) != 0;
  file_ = nullptr;
  if (failed)
    std::fprintf(stderr, "weft: WEFT_TRACE=%s: write failed; the trace is incomplete\n",
                 path_.c_str());
  if (dropped_ > 0) {
    std::fprintf(stderr,
                 "weft: WEFT_TRACE=%s: %llu events did not fit in the buffer and were dropped "
                 "(%s; raise WEFT_TRACE_BUFFER_MB to keep more)\n",
                 path_.c_str(), static_cast<unsigned long long>(dropped_),
                 streaming_ ? "the newest, while the writer was behind" : "the oldest");
  }
}

}  // namespace weft::detail
