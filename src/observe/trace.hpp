// WEFT_TRACE=path: a Chrome Trace Event JSON file (Perfetto, chrome://tracing) of one run.
//
// Recording is the workers' job and must cost little: each worker appends fixed-size binary
// events to its own chunk (no lock, no formatting, no clock reading beyond those the counters
// already take). A full chunk is handed to the tracer under a mutex, once per k_events events,
// and a fresh one taken from a free list. The JSON is written when the runtime ends, on run()'s
// thread, after the workers have stopped: off the hot path. Memory is bounded
// (WEFT_TRACE_BUFFER_MB, default 64): past the bound the oldest chunk is overwritten, so the
// trace keeps the newest events, and the count of those lost is in the file's metadata.
//
// WEFT_TRACE_STREAM=1 (for runs too long to keep in memory) adds a writer thread at SCHED_IDLE
// priority that formats full chunks while the run goes on; past the bound it drops the newest
// events instead. It costs the workers more than the buffer does: measured on a 2-vCPU VM, a
// concurrent writer doubled a channel ping-pong's time even at procs 1 (memory and shared-core
// contention), against 3% for recording alone (bench/overhead).
//
// What is recorded (docs/metrics.md, "Traces"): a slice per timed task run on its worker's
// track, named by the task's class (its spawn site); while the worker samples short runs (every
// run shorter than 2 us on average: worker.cpp, "Sampled timing"), the untimed runs between
// two timed ones are coalesced into one slice per class, with their count ("runs"), sharing
// the stretch's time by run count; a flow from a timed run that made a task runnable to that
// task's next run, if timed; instants for steals and parks; counters for each worker's
// run-queue depth and for tasks alive, sampled at most every 100 us per worker.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace weft::detail {

enum class trace_kind : std::uint8_t {
  slice,     // t: start, v: duration (ticks), key: class, id: the flow that woke it (0: none)
  runs,      // untimed runs coalesced: t: start, v: duration (ticks), key: class, id: runs
  flow_out,  // t: when the running task made another runnable; id: flow id
  steal,     // id: victim worker
  park,      // v: ticks parked
  queue,     // v: run-queue depth of this worker
  alive,     // v: tasks alive in the runtime
};

// The class key of a coalesced slice's runs beyond the classes a stretch keeps apart.
inline constexpr char k_other_classes = 0;

struct trace_event {
  std::uint64_t t;
  std::uint64_t v;
  const void* key;
  std::uint32_t id;
  trace_kind kind;
};

struct trace_chunk {
  static constexpr std::uint32_t k_events = 4096;  // 128 KiB
  int worker = 0;
  std::uint32_t n = 0;
  trace_event ev[k_events];
};

class tracer {
 public:
  // The tracer WEFT_TRACE asks for, or null when unset. A file that cannot be opened is
  // reported on stderr and tracing stays off: a trace is a diagnostic, it must not fail the run.
  static std::unique_ptr<tracer> from_env(const std::string& runtime_name, int procs);
  ~tracer();

  // A chunk for `worker` to fill.
  trace_chunk* fresh(int worker) noexcept;
  // Hands a full (or final) chunk over and returns a fresh one. Never blocks on the writer.
  trace_chunk* swap(trace_chunk* full) noexcept;
  // After every worker stopped: takes their last chunks, drains the queue, closes the file.
  void finish(const std::vector<trace_chunk*>& last);

  // Tasks registered or ended off the workers (run()'s thread, blocking-pool threads); the
  // workers count theirs themselves (worker::trace_alive_).
  std::atomic<std::int64_t>& alive_elsewhere() noexcept { return alive_; }
  std::uint64_t sample_every_ticks() const noexcept { return sample_ticks_; }

 private:
  tracer(std::FILE* f, std::string path, std::string runtime_name, int procs,
         std::size_t max_chunks, bool streaming);
  void writer_loop();
  void write_chunk(const trace_chunk& c);
  void recycle(trace_chunk* c) noexcept;
  void drop(const trace_chunk& c) noexcept;  // m_ held
  void write_metadata();

  std::FILE* file_;
  const std::string path_;
  const std::string name_;
  const int procs_;
  const std::size_t max_chunks_;  // chunks allocated at most (the memory bound)
  const bool streaming_;          // WEFT_TRACE_STREAM: a writer thread formats during the run
  const std::uint64_t t0_;        // ticks at the start: the trace's time zero
  const std::uint64_t sample_ticks_;
  // relaxed: a statistic for the "tasks alive" track, summed with the workers' own counts by
  // whichever worker samples; orders nothing.
  std::atomic<std::int64_t> alive_{0};

  std::mutex m_;
  std::condition_variable cv_;
  std::deque<trace_chunk*> full_;   // guarded by m_
  std::vector<trace_chunk*> free_;  // guarded by m_
  std::size_t allocated_ = 0;       // guarded by m_
  std::uint64_t dropped_ = 0;       // events, guarded by m_
  std::uint64_t dropped_runs_ = 0;  // the task runs they recorded, guarded by m_
  bool stop_ = false;               // guarded by m_
  // Chunks are cut from 2 MiB slabs asked to be backed by a huge page. The buffer (up to the
  // default 64 MiB of it) is taken and touched when the tracer starts (reserve()), before the
  // root task runs: first touches of fresh memory, a page fault each, were most of what
  // tracing cost a fine-grained program (bench/overhead), on a VM several times more per fault
  // than on bare metal, and they landed on the workers as they recorded. Guarded by m_ (but
  // reserve(), in the constructor, before any worker can see the tracer); freed with it.
  static constexpr std::size_t k_slab = std::size_t{2} << 20;
  void reserve() noexcept;
  trace_chunk* new_chunk() noexcept;
  std::vector<void*> slabs_;
  std::size_t slabs_used_ = 0;  // slabs_ from which chunks were cut (the rest are reserved)
  char* slab_next_ = nullptr;
  std::size_t slab_left_ = 0;  // chunks still to cut from the newest slab
  // Writer-side state (the writer thread, then finish()).
  std::string out_;
  std::uint64_t written_ = 0;
  bool first_event_ = true;
  bool finished_ = false;
  std::thread writer_;
};

}  // namespace weft::detail
