// The worker pool behind parallel_for. Workers sleep on a condition variable between jobs after a short
// spin (jobs of a training step come back to back). Tasks are claimed from one atomic word holding the
// job's generation and its next task index, so a helper claims a task of exactly the job it read; the
// caller claims from the same word and returns once every task is done — it never waits for a helper
// that has not woken yet. On a virtual machine a sleeping vCPU can take a fraction of a millisecond to
// wake, longer than most kernels of a small model's step: waiting for it would make two threads slower
// than one.
#include "pool.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>
#include <immintrin.h>

namespace loom {
namespace {

struct Job {
  TaskFn fn = nullptr;
  void* ctx = nullptr;
  int tasks = 0;
  int helpers = 0;  // workers with index < helpers take part
};

/** The claim word: generation in the high 32 bits, the next unclaimed task in the low 32. */
inline uint64_t claim_word(uint32_t generation, uint32_t task) { return (static_cast<uint64_t>(generation) << 32) | task; }

class Pool {
 public:
  void run(int threads, int tasks, TaskFn fn, void* ctx) {
    int helpers = threads - 1;
    if (helpers > tasks - 1) helpers = tasks - 1;
    ensure_workers(helpers);
    uint32_t generation;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation = posted_.load(std::memory_order_relaxed) + 1;
      job_ = Job{fn, ctx, tasks, helpers};
      done_.store(0, std::memory_order_relaxed);
      claim_.store(claim_word(generation, 0), std::memory_order_release);
      posted_.store(generation, std::memory_order_release);
    }
    wake_.notify_all();
    work(job_, generation);
    // Tasks a helper claimed may still be running; nothing else is waited for.
    for (int spin = 0; done_.load(std::memory_order_acquire) != tasks; spin++) {
      if (spin < 4096) _mm_pause();
      else std::this_thread::yield();
    }
  }

 private:
  /** Claims and runs tasks of job `generation` until none is left (or a newer job replaced it). */
  void work(const Job& job, uint32_t generation) {
    for (;;) {
      uint64_t word = claim_.load(std::memory_order_acquire);
      int t;
      do {
        if (static_cast<uint32_t>(word >> 32) != generation) return;
        t = static_cast<int>(static_cast<uint32_t>(word));
        if (t >= job.tasks) return;
      } while (!claim_.compare_exchange_weak(word, word + 1, std::memory_order_acq_rel, std::memory_order_acquire));
      job.fn(job.ctx, t);
      done_.fetch_add(1, std::memory_order_acq_rel);
    }
  }

  void ensure_workers(int count) {
    while (static_cast<int>(workers_.size()) < count) {
      int index = static_cast<int>(workers_.size());
      // The generation it has "seen" is read here, before the job that needs it is posted: a thread that
      // starts late must still take part in that job.
      uint32_t seen = posted_.load(std::memory_order_acquire);
      workers_.emplace_back([this, index, seen] { worker_loop(index, seen); });
      workers_.back().detach();
    }
  }

  void worker_loop(int index, uint32_t seen) {
    for (;;) {
      // Spin briefly for the next job, then sleep until one is posted.
      int spin = 0;
      while (posted_.load(std::memory_order_acquire) == seen && spin < 4000) {
        _mm_pause();
        spin++;
      }
      if (posted_.load(std::memory_order_acquire) == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return posted_.load(std::memory_order_acquire) != seen; });
      }
      Job job;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        seen = posted_.load(std::memory_order_relaxed);
        job = job_;
      }
      // A job read late may be finished (or replaced) already: work() then claims nothing.
      if (index < job.helpers) work(job, seen);
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<uint32_t> posted_{0};  // the job's generation: written under mutex_, with job_
  std::atomic<uint64_t> claim_{0};
  std::atomic<int> done_{0};
  Job job_;
};

// Never destroyed: detached workers may still be asleep on it when the process exits.
Pool& pool() {
  static Pool* instance = new Pool();
  return *instance;
}

std::mutex run_mutex;

}  // namespace

void parallel_for(int threads, int tasks, TaskFn fn, void* ctx) {
  if (tasks <= 0) return;
  if (threads <= 1 || tasks == 1) {
    for (int t = 0; t < tasks; t++) fn(ctx, t);
    return;
  }
  // One job at a time (Node calls come from one thread; worker_threads with their own loom would queue here).
  std::lock_guard<std::mutex> lock(run_mutex);
  pool().run(threads, tasks, fn, ctx);
}

}  // namespace loom
