/**
 * A size-keyed cache of the byte buffers behind uninitialised tensor storage, filled only by the
 * autograd engine, with no user-visible dispose. During a backward the engine knows which gradient
 * buffers it has finished with: a buffer allocated inside that backward (so no user code and no saved
 * forward value can hold it), viewed by no gradient still waiting in the engine, and never attached to
 * a recorded graph node. Those go back here, and `allocateUninitialized` hands them out again before
 * asking the allocator — for the rest of the backward and the next forward — so a training step makes
 * about half the short-lived buffers it otherwise would, and the GC runs (and RSS grows) accordingly less.
 *
 * The contract this rests on: a backward rule does not keep the gradient it is given, or anything it
 * returns, past its call — one that must (checkpoint's output rule stashes its gradient for the
 * recomputation) marks the buffer with `noteEscaped`.
 *
 * Only whole buffers of at least 4 KiB are kept (smaller arrays live on V8's own heap), and at most
 * `STORAGE_POOL_MAX_BYTES` in all (`setStoragePoolLimit`): past that a released buffer is left to the GC
 * as before.
 */

/** Default upper bound on the bytes the pool keeps for reuse. */
export const STORAGE_POOL_MAX_BYTES = 128 * 1024 * 1024;

/** Buffers of the smallest size the pool keeps (as `allocateUninitialized`'s own threshold). */
const MIN_POOLED_BYTES = 4096;

const freeBySize = new Map<number, ArrayBuffer[]>();
let pooledBytes = 0;
let limitBytes = STORAGE_POOL_MAX_BYTES;
/** Open recycling scopes (a checkpoint's backward runs inside the outer one). */
let depth = 0;
/** Buffers allocated since the outermost scope opened and not since attached to a graph node. */
let fresh = new WeakSet<ArrayBufferLike>();

/** A pooled buffer of exactly `bytes` bytes, or null. */
export function takePooledBuffer(bytes: number): ArrayBuffer | null {
  const list = freeBySize.get(bytes);
  const buffer = list?.pop();
  if (buffer === undefined) return null;
  pooledBytes -= bytes;
  return buffer;
}

/** Called by the allocator for each new or reused buffer: inside a scope it becomes recyclable. */
export function noteAllocated(buffer: ArrayBufferLike): void {
  if (depth > 0 && buffer.byteLength >= MIN_POOLED_BYTES) fresh.add(buffer);
}

/** Called when a tensor on `buffer` gets a graph node (a checkpoint's recomputation): it may be saved, so it is never recycled. */
export function noteEscaped(buffer: ArrayBufferLike): void {
  if (depth > 0) fresh.delete(buffer);
}

/** Runs `fn` (a backward) with buffers allocated inside it tracked as recyclable. */
export function withRecycling<T>(fn: () => T): T {
  depth++;
  try {
    return fn();
  } finally {
    depth--;
    if (depth === 0) fresh = new WeakSet();
  }
}

/** Whether `buffer` was allocated inside the open scope and has not escaped to a graph node. */
export function isRecyclable(buffer: ArrayBufferLike): boolean {
  return depth > 0 && fresh.has(buffer);
}

/**
 * Returns `buffer` to the pool. The caller (the autograd engine) guarantees that nothing will read or
 * write it again through any view it made; the buffer stops being tracked as fresh.
 */
export function recycleBuffer(buffer: ArrayBufferLike): void {
  if (!fresh.delete(buffer)) return;
  const bytes = buffer.byteLength;
  // One buffer of more than a quarter of the limit (a language model's [tokens, vocab] logits
  // gradient) is left to the GC: it would fill the pool and sit idle there for a whole step, until the
  // next loss's backward asks for its size again, while the smaller buffers it keeps out are the ones
  // the rest of the backward and the next forward reuse.
  if (!(buffer instanceof ArrayBuffer) || pooledBytes + bytes > limitBytes || bytes > limitBytes / 4) return;
  let list = freeBySize.get(bytes);
  if (list === undefined) {
    list = [];
    freeBySize.set(bytes, list);
  }
  list.push(buffer);
  pooledBytes += bytes;
}

/** Bytes held by the pool now (for benchmarks and tests). */
export function pooledByteCount(): number {
  return pooledBytes;
}

/** Drops every pooled buffer (they become garbage); returns how many bytes were held. */
export function clearStoragePool(): number {
  const held = pooledBytes;
  freeBySize.clear();
  pooledBytes = 0;
  return held;
}

/**
 * Sets the most bytes the pool keeps (0: no reuse at all, every buffer left to the GC); returns the
 * previous limit. Buffers already pooled past the new limit are dropped.
 */
export function setStoragePoolLimit(bytes: number): number {
  const previous = limitBytes;
  limitBytes = Math.max(0, bytes);
  if (pooledBytes > limitBytes) clearStoragePool();
  return previous;
}
