// One process-wide pool of native worker threads (created on first need, grown to the largest count
// asked for, never per call). A job is `tasks` independent pieces; the calling thread works on them
// too, and parallel_for returns when all are done.
#pragma once

namespace loom {

using TaskFn = void (*)(void* ctx, int task);

/**
 * Runs fn(ctx, t) for t in [0, tasks) on at most `threads` threads (the caller included). With
 * threads <= 1 or a single task everything runs on the calling thread.
 */
void parallel_for(int threads, int tasks, TaskFn fn, void* ctx);

}  // namespace loom
