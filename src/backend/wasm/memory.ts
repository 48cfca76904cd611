/**
 * The linear memory the kernels run in, shared by the main thread and the worker pool. Layout, in bytes:
 *
 *   [0, heapBase)                  the module's static data
 *   [scratchBase + t·scratchStride) kernel scratch of thread t (packed panels), fixed size
 *   [arenaBase, …)                 operands of the current call (copied in, results copied out);
 *                                  reused by every call and grown when a call needs more
 *
 * Users never see this memory: every call copies its operands in and its result out, so nothing needs
 * disposing and JavaScript's garbage collector owns all tensor storage (DESIGN.md decision 2).
 */
import { LoomError } from "../../errors.js";
import { instantiateKernels, type KernelExports } from "./loader.js";
import { wasm, type WasmMemory, type WasmModule } from "./webassembly.js";

const PAGE = 65536;
const ALIGN = 64; // one cache line, so SIMD loads of packed panels never straddle two

export function alignUp(bytes: number, to = ALIGN): number {
  return Math.ceil(bytes / to) * to;
}

export class KernelMemory {
  readonly memory: WasmMemory;
  readonly kernels: KernelExports;
  readonly scratchStride: number;
  private readonly scratchBase: number;
  private readonly arenaBase: number;
  private f32View: Float32Array;

  constructor(module: WasmModule, threads: number) {
    this.memory = createSharedMemory();
    this.kernels = instantiateKernels(module, this.memory);
    this.scratchBase = alignUp(this.kernels.heapBase());
    this.scratchStride = alignUp(this.kernels.gemmScratchBytes());
    this.arenaBase = this.scratchBase + threads * this.scratchStride;
    this.grow(this.arenaBase);
    this.f32View = new Float32Array(this.memory.buffer);
  }

  /** Byte offset of thread t's kernel scratch. */
  scratchOf(thread: number): number {
    return this.scratchBase + thread * this.scratchStride;
  }

  /**
   * Lays out consecutive 64-byte-aligned blocks of the given sizes (bytes) in the arena, growing the
   * memory if needed, and returns their byte offsets. Earlier offsets are invalidated.
   */
  allocate(sizes: readonly number[]): number[] {
    const offsets: number[] = [];
    let end = this.arenaBase;
    for (const size of sizes) {
      offsets.push(end);
      end += alignUp(size);
    }
    this.grow(end);
    return offsets;
  }

  /**
   * Allocates one arena block per entry and copies the arrays in: an array is copied (converted to
   * float32, or kept int32 for an Int32Array), a number reserves that many float32 elements uncopied,
   * null reserves nothing and yields pointer 0 (kernels read 0 as "absent"). Returns byte offsets.
   */
  stage(entries: readonly (Float32Array | Float64Array | Int32Array | number | null)[]): number[] {
    const offsets = this.allocate(entries.map((e) => (e === null ? 0 : typeof e === "number" ? e * 4 : e.length * 4)));
    const f32 = this.f32;
    entries.forEach((e, i) => {
      const at = (offsets[i] ?? 0) >>> 2;
      if (e instanceof Int32Array) new Int32Array(f32.buffer).set(e, at);
      else if (e !== null && typeof e !== "number") f32.set(e, at);
    });
    return entries.map((e, i) => (e === null ? 0 : (offsets[i] ?? 0)));
  }

  /** Copies `length` float32 elements at byte offset `ptr` into `into` (converting to its type). */
  read(ptr: number, into: Float32Array | Float64Array, length: number): void {
    into.set(this.f32.subarray(ptr >>> 2, (ptr >>> 2) + length));
  }

  /** A Float32Array over the whole memory (recreated after the memory grows). */
  get f32(): Float32Array {
    if (this.f32View.byteLength !== this.memory.buffer.byteLength) this.f32View = new Float32Array(this.memory.buffer);
    return this.f32View;
  }

  private grow(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    const pages = Math.ceil((bytes - have) / PAGE);
    try {
      this.memory.grow(pages);
    } catch {
      throw new LoomError(`wasm backend: cannot grow kernel memory to ${bytes} bytes (operands too large for 32-bit WebAssembly)`);
    }
  }
}

/** The largest shared memory the engine will reserve: 4 GiB of address space, else 1 GiB. */
function createSharedMemory(): WasmMemory {
  for (const maximum of [65536, 16384]) {
    try {
      return new wasm.Memory({ initial: 1, maximum, shared: true });
    } catch {
      // the address-space reservation failed; try a smaller one
    }
  }
  throw new LoomError("wasm backend: cannot create a shared WebAssembly memory");
}
