/**
 * Multi-task mixtures in T5's text-to-text form (Raffel et al. 2020, §2.4 and §3.5.2): every task maps
 * text to text, its inputs start with a task prefix ("g2p: ", "p2g: ", "fill: "), and a training
 * stream draws each example's task at random by mixing rates:
 *   examples-proportional:  r_m = min(e_m, K) / Σ_n min(e_n, K)    (e_m examples in task m, cap K)
 *   temperature-scaled:     r_m ∝ (that rate)^(1/T)                 (T = 1: proportional)
 *   explicit:               r_m = rate_m / Σ_n rate_n
 * Within a task, examples come in a seeded random order, reshuffled each pass. One seeded generator
 * drives the task draws, the orders and the examples' own randomness (span corruption's masks), so a
 * mixture with the same seed yields the same stream.
 *
 * Tasks produce either text pairs (the mixture encodes `prefix + inputs` and `targets`) or token ids
 * (span corruption, prefix LM: the mixture puts the encoded prefix before the inputs). Every example
 * leaves the mixture as ids with EOS at the end of inputs and targets.
 */
import { ValueError } from "../../errors.js";
import { Generator } from "../../tensor/rng.js";
import { Tensor } from "../../tensor/tensor.js";
import { type PrefixLmOptions, prefixLmSplit } from "./prefix-lm.js";
import { type SentinelSource, type SpanCorruptionOptions, spanCorrupt } from "./span-corruption.js";

/** A text-to-text example as text: the mixture adds the prefix, encodes both sides and appends EOS. */
export interface TextExample {
  inputs: string;
  targets: string;
}

/** A text-to-text example as token ids that already end with EOS: the mixture adds the prefix's ids. */
export interface IdExample {
  inputIds: number[];
  targetIds: number[];
}

/** One task of a mixture. */
export interface MixtureTask {
  /** Name reported with each example (e.g. "g2p"). */
  name: string;
  /** Text put before every input (e.g. "g2p: "); "" for none. */
  prefix: string;
  /** Examples in the task (what examples-proportional mixing counts). */
  size: number;
  /** Example `index` (0 ≤ index < size); `rng` is the mixture's generator, for random corruption. */
  example(index: number, rng: Generator): TextExample | IdExample;
  /** Mixing rate for `rates: "explicit"` (any positive number; rates are normalised). */
  rate?: number;
}

/** How a mixture weights its tasks, and its seed. */
export interface MixtureOptions {
  /** "proportional" (default): by example counts, capped; "explicit": each task's `rate`. */
  rates?: "proportional" | "explicit";
  /** Examples-proportional cap K (default Infinity: no cap). */
  cap?: number;
  /** Temperature T applied to the rates (default 1). */
  temperature?: number;
  /** Seed of the mixture's generator (default 0). */
  seed?: number;
}

/** The encoder a mixture needs for text (loom's `Tokenizer` fits). */
export interface IdEncoder {
  encodeIds(text: string, options?: { addSpecialTokens?: boolean }): number[];
}

/** An example drawn from a mixture: its task, and encoder inputs / decoder targets as ids ending with EOS. */
export interface MixtureExample {
  task: string;
  inputs: number[];
  targets: number[];
}

/** The normalised mixing rates of `tasks` (see the file comment); they sum to 1. */
export function mixingRates(tasks: readonly MixtureTask[], options: MixtureOptions = {}): number[] {
  if (tasks.length === 0) throw new ValueError("mixingRates: a mixture needs at least one task");
  const kind = options.rates ?? "proportional";
  const cap = options.cap ?? Infinity;
  const temperature = options.temperature ?? 1;
  if (!(cap > 0)) throw new ValueError(`mixingRates: cap must be > 0, got ${cap}`);
  if (!(temperature > 0 && Number.isFinite(temperature))) throw new ValueError(`mixingRates: temperature must be a positive finite number, got ${temperature}`);
  const raw = tasks.map((t) => {
    if (kind === "explicit") {
      if (t.rate === undefined || !(t.rate > 0 && Number.isFinite(t.rate))) throw new ValueError(`mixingRates: task "${t.name}" needs a positive finite rate for explicit mixing, got ${String(t.rate)}`);
      return t.rate;
    }
    if (kind !== "proportional") throw new ValueError(`mixingRates: rates must be "proportional" or "explicit", got ${String(kind)}`);
    return Math.min(t.size, cap);
  });
  const scaled = raw.map((r) => r ** (1 / temperature));
  const total = scaled.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new ValueError("mixingRates: every task is empty");
  return scaled.map((r) => r / total);
}

/** A task's examples in a random order, reshuffled at each pass (Fisher–Yates on the mixture's generator). */
class TaskOrder {
  private order: number[] = [];
  private at = 0;

  constructor(readonly size: number) {}

  next(rng: Generator): number {
    if (this.at === this.order.length) {
      this.order = Array.from({ length: this.size }, (_, i) => i);
      for (let i = this.size - 1; i > 0; i--) {
        const j = rng.randint(0, i + 1);
        [this.order[i], this.order[j]] = [this.order[j] as number, this.order[i] as number];
      }
      this.at = 0;
    }
    return this.order[this.at++] as number;
  }
}

/** A seeded stream of text-to-text examples drawn from several tasks by their mixing rates. */
export class TaskMixture {
  readonly rates: readonly number[];
  readonly rng: Generator;
  private readonly orders: TaskOrder[];
  private readonly prefixIds: number[][];

  constructor(readonly tasks: readonly MixtureTask[], private readonly encoder: IdEncoder, readonly eosId: number, options: MixtureOptions = {}) {
    const names = new Set<string>();
    for (const t of tasks) {
      if (!Number.isInteger(t.size) || t.size < 0) throw new ValueError(`TaskMixture: task "${t.name}" has size ${t.size}; expected an integer ≥ 0`);
      if (names.has(t.name)) throw new ValueError(`TaskMixture: two tasks are named "${t.name}"`);
      names.add(t.name);
    }
    this.rates = mixingRates(tasks, options);
    tasks.forEach((t, i) => {
      if ((this.rates[i] as number) > 0 && t.size === 0) throw new ValueError(`TaskMixture: task "${t.name}" has rate ${this.rates[i]} but no examples`);
    });
    this.rng = new Generator(options.seed ?? 0);
    this.orders = tasks.map((t) => new TaskOrder(t.size));
    // Id examples get the prefix as its own ids; its trailing space is dropped, since the ids that
    // follow already carry their own word boundaries.
    this.prefixIds = tasks.map((t) => (t.prefix.trim().length === 0 ? [] : encoder.encodeIds(t.prefix.trimEnd(), { addSpecialTokens: false })));
  }

  /** The index of the task drawn for the next example (one uniform draw against the cumulative rates). */
  private drawTask(): number {
    const u = this.rng.random();
    let cumulative = 0;
    for (let i = 0; i < this.rates.length; i++) {
      cumulative += this.rates[i] as number;
      if (u < cumulative && (this.rates[i] as number) > 0) return i;
    }
    return this.rates.findLastIndex((r) => r > 0); // u beyond a sum that rounding left under 1
  }

  /** The next example of the stream. */
  next(): MixtureExample {
    const i = this.drawTask();
    const task = this.tasks[i] as MixtureTask;
    const example = task.example((this.orders[i] as TaskOrder).next(this.rng), this.rng);
    return { task: task.name, ...this.encode(example, i) };
  }

  /** The next `n` examples. */
  take(n: number): MixtureExample[] {
    return Array.from({ length: n }, () => this.next());
  }

  private encode(example: TextExample | IdExample, task: number): { inputs: number[]; targets: number[] } {
    if ("inputIds" in example) {
      return { inputs: [...(this.prefixIds[task] as number[]), ...example.inputIds], targets: [...example.targetIds] };
    }
    const prefix = (this.tasks[task] as MixtureTask).prefix;
    const inputs = this.encoder.encodeIds(prefix + example.inputs, { addSpecialTokens: false });
    const targets = this.encoder.encodeIds(example.targets, { addSpecialTokens: false });
    return { inputs: [...inputs, this.eosId], targets: [...targets, this.eosId] };
  }
}

/** A task over fixed text pairs (e.g. word → pronunciation). */
export function textPairTask(name: string, prefix: string, pairs: readonly TextExample[], rate?: number): MixtureTask {
  return { name, prefix, size: pairs.length, example: (i) => pairs[i] as TextExample, ...(rate === undefined ? {} : { rate }) };
}

/** A span-corruption task over token sequences (e.g. fixed-length chunks of a corpus); a fresh mask per draw. */
export function spanCorruptionTask(name: string, prefix: string, sequences: readonly (readonly number[])[], sentinels: SentinelSource, options: SpanCorruptionOptions & { rate?: number } = {}): MixtureTask {
  const { rate, ...spanOptions } = options;
  return {
    name, prefix, size: sequences.length, ...(rate === undefined ? {} : { rate }),
    example: (i, rng) => {
      const { inputs, targets } = spanCorrupt(sequences[i] as readonly number[], sentinels, spanOptions, rng);
      return { inputIds: inputs, targetIds: targets };
    },
  };
}

/** A prefix-LM task over token sequences (at least 2 tokens each); a fresh split point per draw. */
export function prefixLmTask(name: string, prefix: string, sequences: readonly (readonly number[])[], options: PrefixLmOptions & { rate?: number }): MixtureTask {
  const { rate, ...splitOptions } = options;
  return {
    name, prefix, size: sequences.length, ...(rate === undefined ? {} : { rate }),
    example: (i, rng) => {
      const { inputs, targets } = prefixLmSplit(sequences[i] as readonly number[], splitOptions, rng);
      return { inputIds: inputs, targetIds: targets };
    },
  };
}

/** `tokens` cut into consecutive chunks of `length` (the last, shorter one kept if it has ≥ `minLength` tokens). */
export function chunkTokens(tokens: readonly number[], length: number, minLength = 2): number[][] {
  if (!Number.isInteger(length) || length < 1) throw new ValueError(`chunkTokens: length must be a positive integer, got ${length}`);
  const out: number[][] = [];
  for (let start = 0; start < tokens.length; start += length) {
    const chunk = tokens.slice(start, start + length);
    if (chunk.length === length || chunk.length >= minLength) out.push(chunk);
  }
  return out;
}

/** A padded text-to-text batch, as `T5ForConditionalGeneration.forward` / `Transformer.forward` take it. */
export interface TextToTextBatch {
  /** [B, S] int32 encoder ids, right-padded with padId. */
  inputIds: Tensor;
  /** [B, S] int32, 1 = real token. */
  attentionMask: Tensor;
  /** [B, T] int32 targets, right-padded with −100 (ignored by the loss). */
  labels: Tensor;
  /** Real (non-padding) target tokens in the batch. */
  targetTokens: number;
}

/** Options of {@link collateTextToText}. */
export interface CollateOptions {
  padId: number;
  /** Longer inputs are cut to this length, their last token (EOS) kept last. */
  maxInputLength?: number;
  /** Longer targets are cut to this length, their last token (EOS) kept last. */
  maxTargetLength?: number;
}

/** `ids` cut to `max` tokens with the original last token (EOS) kept as the last. */
function truncateKeepingLast(ids: readonly number[], max: number | undefined): readonly number[] {
  if (max === undefined || ids.length <= max) return ids;
  return [...ids.slice(0, max - 1), ids.at(-1) as number];
}

/** Pads a list of examples into one batch: inputs with padId and a mask, labels with −100. */
export function collateTextToText(examples: readonly { inputs: readonly number[]; targets: readonly number[] }[], options: CollateOptions): TextToTextBatch {
  if (examples.length === 0) throw new ValueError("collateTextToText: no examples");
  for (const [key, max] of [["maxInputLength", options.maxInputLength], ["maxTargetLength", options.maxTargetLength]] as const) {
    if (max !== undefined && !(Number.isInteger(max) && max >= 1)) throw new ValueError(`collateTextToText: ${key} must be a positive integer, got ${max}`);
  }
  const inputs = examples.map((e) => truncateKeepingLast(e.inputs, options.maxInputLength));
  const targets = examples.map((e) => truncateKeepingLast(e.targets, options.maxTargetLength));
  const B = examples.length;
  const S = Math.max(...inputs.map((r) => r.length));
  const T = Math.max(...targets.map((r) => r.length));
  if (S === 0 || T === 0) throw new ValueError("collateTextToText: every batch needs a non-empty input and target");
  const ids = new Int32Array(B * S).fill(options.padId);
  const mask = new Int32Array(B * S);
  const labels = new Int32Array(B * T).fill(-100);
  let targetTokens = 0;
  for (let b = 0; b < B; b++) {
    const x = inputs[b] as readonly number[];
    const y = targets[b] as readonly number[];
    ids.set(x, b * S);
    mask.fill(1, b * S, b * S + x.length);
    labels.set(y, b * T);
    targetTokens += y.length;
  }
  return { inputIds: new Tensor(ids, [B, S]), attentionMask: new Tensor(mask, [B, S]), labels: new Tensor(labels, [B, T]), targetTokens };
}
