// The worker pool behind parallel_for. Workers sleep on a condition variable between jobs after a short
// spin (jobs of a training step come back to back, and waking a sleeping thread costs ~5-20 µs); the
// caller claims tasks from the same atomic counter as the workers, so a job never waits for a worker
// that has not woken up yet to start.
#include "pool.h"

#include <atomic>
#include <condition_variable>
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

class Pool {
 public:
  void run(int threads, int tasks, TaskFn fn, void* ctx) {
    int helpers = threads - 1;
    if (helpers > tasks - 1) helpers = tasks - 1;
    ensure_workers(helpers);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = Job{fn, ctx, tasks, helpers};
      next_.store(0, std::memory_order_relaxed);
      pending_.store(helpers, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    work(job_);
    // Wait for the helpers to finish their last task (they may still hold one the caller cannot take).
    for (int spin = 0; pending_.load(std::memory_order_acquire) != 0; spin++) {
      if (spin < 4096) _mm_pause();
      else std::this_thread::yield();
    }
  }

 private:
  void work(const Job& job) {
    for (;;) {
      int t = next_.fetch_add(1, std::memory_order_relaxed);
      if (t >= job.tasks) return;
      job.fn(job.ctx, t);
    }
  }

  void ensure_workers(int count) {
    while (static_cast<int>(workers_.size()) < count) {
      int index = static_cast<int>(workers_.size());
      // The generation it has "seen" is read here, before the job that needs it is posted: a thread that
      // starts late must still take part in that job.
      unsigned long long seen = generation_.load(std::memory_order_acquire);
      workers_.emplace_back([this, index, seen] { worker_loop(index, seen); });
      workers_.back().detach();
    }
  }

  void worker_loop(int index, unsigned long long seen) {
    for (;;) {
      // Spin briefly for the next job, then sleep until one is posted.
      int spin = 0;
      while (generation_.load(std::memory_order_acquire) == seen && spin < 4000) {
        _mm_pause();
        spin++;
      }
      if (generation_.load(std::memory_order_acquire) == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
      }
      Job job;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        seen = generation_.load(std::memory_order_acquire);
        job = job_;
      }
      if (index >= job.helpers) continue;
      work(job);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<unsigned long long> generation_{0};
  std::atomic<int> next_{0};
  std::atomic<int> pending_{0};
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
