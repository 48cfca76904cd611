/**
 * Datasets and a batching loader, as PyTorch's `Dataset`/`DataLoader`: a dataset is indexable items,
 * the loader walks them in (optionally shuffled) batches and hands each batch to `collate`. Nothing
 * here depends on tensors; a `collate` that builds tensors is the user's (see the README).
 */
import { ValueError } from "../errors.js";
import { checkBlock, type RandomSource, type TokenBatch } from "./batches.js";

/** Items readable by index: `length` of them, `get(0)` … `get(length - 1)`. */
export interface Dataset<T> {
  readonly length: number;
  get(index: number): T;
}

/**
 * A dataset over an array (or any indexable list) of items.
 * @example
 * ```ts
 * import { data } from "loom";
 * const points = new data.ArrayDataset([[0, 0], [0, 1], [1, 0], [1, 1]]);
 * points.get(2); // [1, 0]
 * ```
 */
export class ArrayDataset<T> implements Dataset<T> {
  constructor(private readonly items: ArrayLike<T>) {}

  /** Number of items. */
  get length(): number {
    return this.items.length;
  }

  /** The item at `index` (0 ≤ index < length). */
  get(index: number): T {
    checkIndex(index, this.items.length, "ArrayDataset.get");
    return this.items[index] as T;
  }
}

/** One language-model example: `blockSize` input tokens and the same tokens shifted by one. */
export interface TokenBlock {
  x: Int32Array;
  y: Int32Array;
}

/**
 * A token stream cut into consecutive blocks for next-token prediction: item i is
 * x = tokens[i·stride .. i·stride+blockSize), y = the same shifted by one (stride defaults to
 * blockSize, i.e. non-overlapping blocks).
 */
export class TokenBlockDataset implements Dataset<TokenBlock> {
  /** Tokens per block. */
  readonly blockSize: number;
  /** Tokens between the starts of consecutive blocks. */
  readonly stride: number;

  constructor(private readonly tokens: ArrayLike<number>, blockSize: number, stride = blockSize) {
    checkBlock(tokens, blockSize, "TokenBlockDataset");
    if (!Number.isInteger(stride) || stride < 1) throw new ValueError(`TokenBlockDataset: stride must be a positive integer, got ${stride}`);
    this.blockSize = blockSize;
    this.stride = stride;
  }

  /** Number of whole blocks (each needs blockSize + 1 tokens for its targets). */
  get length(): number {
    return Math.floor((this.tokens.length - this.blockSize - 1) / this.stride) + 1;
  }

  /** Block `index`: inputs and next-token targets. */
  get(index: number): TokenBlock {
    checkIndex(index, this.length, "TokenBlockDataset.get");
    const start = index * this.stride;
    const x = new Int32Array(this.blockSize);
    const y = new Int32Array(this.blockSize);
    for (let t = 0; t < this.blockSize; t++) {
      x[t] = this.tokens[start + t] as number;
      y[t] = this.tokens[start + t + 1] as number;
    }
    return { x, y };
  }
}

/** Joins token blocks into one row-major batch, the form the trainer and `evaluate` take. */
export function collateTokenBlocks(blocks: readonly TokenBlock[]): TokenBatch {
  const first = blocks[0];
  if (first === undefined) throw new ValueError("collateTokenBlocks: no blocks");
  const T = first.x.length;
  const x = new Int32Array(blocks.length * T);
  const y = new Int32Array(blocks.length * T);
  blocks.forEach((b, i) => {
    if (b.x.length !== T || b.y.length !== T) throw new ValueError(`collateTokenBlocks: block ${i} has ${b.x.length} tokens, block 0 has ${T}`);
    x.set(b.x, i * T);
    y.set(b.y, i * T);
  });
  return { x, y, batchSize: blocks.length, blockSize: T };
}

/** How a {@link DataLoader} batches. */
export interface DataLoaderOptions<T, B> {
  /** Items per batch (default 1). */
  batchSize?: number;
  /** Visit items in a new random order every pass (needs `generator`'s randint; default false). */
  shuffle?: boolean;
  /** Leave out a last batch smaller than batchSize (default false). */
  dropLast?: boolean;
  /** The seeded source of the order when shuffling, e.g. loom's `defaultGenerator` or a `new Generator(seed)`. */
  generator?: RandomSource;
  /** Turns a list of items into a batch (default: the list itself). */
  collate?: (items: T[]) => B;
}

/**
 * Iterates a dataset in batches; each `for … of` is one pass (epoch), reshuffled when `shuffle`.
 * @example
 * ```ts
 * import { Generator, data } from "loom";
 * const loader = new data.DataLoader(new data.ArrayDataset([1, 2, 3, 4, 5]), { batchSize: 2, shuffle: true, generator: new Generator(0) });
 * for (const batch of loader) console.log(batch); // three batches: two of 2 items, one of 1
 * ```
 */
export class DataLoader<T, B = T[]> implements Iterable<B> {
  /** Items per batch. */
  readonly batchSize: number;
  private readonly options: DataLoaderOptions<T, B>;

  constructor(
    /** The dataset the batches are drawn from. */
    readonly dataset: Dataset<T>,
    options: DataLoaderOptions<T, B> = {},
  ) {
    this.batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new ValueError(`DataLoader: batchSize must be a positive integer, got ${this.batchSize}`);
    if (options.shuffle && options.generator === undefined) throw new ValueError("DataLoader: shuffle needs a generator (e.g. defaultGenerator), so the order is seeded");
    this.options = options;
  }

  /** Batches per pass. */
  get length(): number {
    const n = this.dataset.length;
    return this.options.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** One pass over the dataset. */
  *[Symbol.iterator](): Iterator<B> {
    const n = this.dataset.length;
    const order = Array.from({ length: n }, (_, i) => i);
    const rng = this.options.generator;
    if (this.options.shuffle && rng) {
      // Fisher–Yates: swap each position with a uniformly chosen one at or before it.
      for (let i = n - 1; i > 0; i--) {
        const j = rng.randint(0, i + 1);
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
    }
    const collate = this.options.collate ?? ((items: T[]) => items as unknown as B);
    for (let b = 0; b < this.length; b++) {
      const items = order.slice(b * this.batchSize, (b + 1) * this.batchSize).map((i) => this.dataset.get(i));
      yield collate(items);
    }
  }
}

function checkIndex(index: number, length: number, op: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) throw new ValueError(`${op}: index ${index} is out of range for ${length} items`);
}
