/**
 * One fine-tuning run end to end, as `loom bert finetune` does it: read the labelled data (the
 * SpamAssassin task, or a `.jsonl`/`.csv` file) and carve a seeded stratified validation split from
 * its training part; take the tokenizer and encoder of a pretrained folder (`init`), or train BERT's
 * WordPiece tokenizer on the training texts and build a BERT from scratch; encode everything — all
 * before the run folder exists — then publish the run folder whole (tokenizer.json,
 * tokenizer_config.json, checkpoint 0), fine-tune with checkpoints, and score the test split, if there
 * is one, once at the end (test_results.json). `resumeFineTuneRun` continues a run from its folder.
 */
import { join } from "node:path";
import { readLabelledFile, stratifiedSplit, type LabelledText } from "../../data/labelled-text.js";
import { SPAM_ASSASSIN_LABELS, spamAssassinSplit } from "../../data/spam-assassin.js";
import { ValueError } from "../../errors.js";
import { writeFileAtomic } from "../../io/atomic.js";
import { BertForSequenceClassification } from "../../models/bert/heads.js";
import { BERT_MODEL_TYPE, type BertConfig, type ClassifierPooling } from "../../models/bert/config.js";
import type { BertForMaskedLM, BertForPreTraining } from "../../models/bert/heads.js";
import type { BertModel } from "../../models/bert/model.js";
import { DistilBertForSequenceClassification } from "../../models/distilbert/heads.js";
import { distilbertFromTeacher } from "../../models/distilbert/teacher.js";
import { fromPretrained } from "../../models/pretrained.js";
import { Generator, manualSeed } from "../../tensor/rng.js";
import { Tokenizer } from "../../tokenizers/tokenizer.js";
import { trainWordPieceTokenizer } from "../objectives/wordpiece-setup.js";
import { loadTrainingState, readTrainerState } from "../checkpoint.js";
import { isEmptyFolder, latestCheckpoint, lockRunFolder, repairRunFolder, replaceFile } from "../run-folder.js";
import { publishRunFolder } from "../run-publish.js";
import type { ProgressDisplay } from "../progress.js";
import { checkFiniteWeights } from "../weights-check.js";
import { asSequenceClassifier, classifierFromEncoder, classifierTokenizerConfig, type SequenceClassifier } from "./classifier.js";
import { formatReport, type ClassificationReport } from "./evaluate.js";
import {
  classifierOptimizer, defaultFineTuneOptions, evaluateClassifier, fineTune, saveInitialClassifierCheckpoint, stepCounts,
  validateFineTuneOptions, type FineTuneOptions, type FineTuneResult, type LabelledInputs,
} from "./finetune.js";
import { encodeClassificationInputs, headTokenBudget, type ClassificationInputOptions } from "./inputs.js";

/** The settings of a fine-tuning run (what trainer_state.json records, so --resume rebuilds the same run). */
export interface FineTuneSettings {
  /** A built-in task ("spam": SpamAssassin with its fixed test split), or null with `data`. */
  task: "spam" | null;
  /** A labelled .jsonl/.csv file (train + validation), or null with `task`. */
  data: string | null;
  /** A labelled file scored once at the end (with `data`); the task's own test split otherwise. */
  test: string | null;
  /** A pretrained folder (config.json, model.safetensors, tokenizer.json) to start from, or null for a new BERT. */
  init: string | null;
  /** Without `init`: "wordpiece:N" (BERT's WordPiece trained on the training texts) or a tokenizer.json path. */
  tokenizer: string;
  /** Lowercase the text (an uncased WordPiece tokenizer). */
  lowercase: boolean;
  /**
   * With `init` (a BERT): fine-tune a DistilBERT student initialised from it instead (every other layer,
   * Sanh et al. 2019 §3), to compare the smaller model's accuracy and speed with its teacher's.
   */
  distilbert: boolean;
  /** Without `init`: the new BERT's sizes and dropouts (vocab_size, positions and labels are set from the data). */
  model: Partial<BertConfig>;
  /**
   * What the classifier reads (BertConfig.classifier_pooling): "cls", the pooled first token, or "mean",
   * the mean of the real tokens; null: "cls" for a new model, the init folder's own setting otherwise.
   */
  pooling: ClassifierPooling | null;
  /** Tokens per sequence, [CLS] and [SEP] included. */
  maxLength: number;
  /** Tokens from a long text's start (the rest from its end); null: half. */
  headTokens: number | null;
  /** Share of the training examples held out (per class) for validation. */
  validationFraction: number;
  /** Seeds the validation split (fixed across runs, so runs compare on the same examples). */
  splitSeed: number;
  out: string;
  /** Seeds initialisation and dropout. */
  seed: number;
  train: FineTuneOptions;
}

/** A small BERT that trains in minutes on two cores: 2 layers, width 128, 2 heads. */
export const defaultFineTuneSettings: FineTuneSettings = {
  task: "spam",
  data: null,
  test: null,
  init: null,
  distilbert: false,
  tokenizer: "wordpiece:8000",
  lowercase: true,
  model: { hidden_size: 128, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 512 },
  pooling: null,
  maxLength: 128,
  headTokens: null,
  validationFraction: 0.1,
  splitSeed: 0,
  out: join("runs", "spam"),
  seed: 1337,
  train: defaultFineTuneOptions,
};

/** The examples of a run: train, validation, optional test, and the class names. */
export interface ClassificationData {
  train: LabelledText[];
  validation: LabelledText[];
  test: LabelledText[] | null;
  labels: string[];
}

/** Reads the run's data and splits off validation (seeded, stratified). */
export function readClassificationData(settings: Pick<FineTuneSettings, "task" | "data" | "test" | "validationFraction" | "splitSeed">): ClassificationData {
  let all: LabelledText[];
  let test: LabelledText[] | null = null;
  let labels: string[];
  if (settings.task === "spam") {
    if (settings.data !== null || settings.test !== null) throw new ValueError("--task spam brings its own data and test split; leave out --data and --test");
    const split = spamAssassinSplit();
    all = split.train;
    test = split.test;
    labels = [...SPAM_ASSASSIN_LABELS];
  } else {
    if (settings.data === null) throw new ValueError("give --task spam or --data FILE (labelled .jsonl or .csv)");
    const data = readLabelledFile(settings.data);
    all = data.examples;
    labels = data.labels;
    if (settings.test !== null) {
      const t = readLabelledFile(settings.test);
      const index = new Map(labels.map((l, i) => [l, i]));
      test = t.examples.map((e, i) => {
        const id = index.get(t.labels[e.label] as string);
        if (id === undefined) throw new ValueError(`${settings.test}: example ${i + 1} has label ${JSON.stringify(t.labels[e.label])}, which ${settings.data} never uses (${labels.join(", ")})`);
        return { text: e.text, label: id };
      });
    }
  }
  const { kept, held } = stratifiedSplit(all, settings.validationFraction, new Generator(settings.splitSeed));
  if (held.length === 0) throw new ValueError(`the data has too few examples per class to hold out a validation split (${all.length} examples)`);
  return { train: kept, validation: held, test, labels };
}

/** Hooks into a run: where log lines and progress go, and a per-step callback that can stop it. */
export interface FineTuneHooks {
  log?: (line: string) => void;
  progress?: ProgressDisplay;
  onStep?: (step: number, loss: number) => boolean | void;
}

/** What a run produced. */
export interface FineTuneOutcome {
  settings: FineTuneSettings;
  model: SequenceClassifier;
  tokenizer: Tokenizer;
  labels: string[];
  result: FineTuneResult;
  /** The test report (null without a test split, or when the run was interrupted). */
  test: ClassificationReport | null;
  /** Seconds of each phase: data, tokenizer, encoding, fine-tuning, test. */
  seconds: { data: number; tokenizer: number; encoding: number; fineTuning: number; test: number };
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;

function labelled(tokenizer: Tokenizer, examples: readonly LabelledText[], inputs: ClassificationInputOptions): LabelledInputs {
  return { inputs: encodeClassificationInputs(tokenizer, examples.map((e) => e.text), inputs), labels: examples.map((e) => e.label) };
}

function inputOptions(settings: FineTuneSettings): ClassificationInputOptions {
  return settings.headTokens === null ? { maxLength: settings.maxLength } : { maxLength: settings.maxLength, headTokens: settings.headTokens };
}

/** Options a new run refuses before it reads anything. */
function checkSettings(settings: FineTuneSettings): void {
  validateFineTuneOptions(settings.train);
  if (!(settings.validationFraction > 0 && settings.validationFraction < 1)) throw new ValueError(`--validation-fraction: expected a number in (0, 1), got ${settings.validationFraction}`);
  if (settings.pooling === "mean" && settings.distilbert) throw new ValueError("--pooling mean and --distilbert: the DistilBERT classifier reads its first token only");
  if (!Number.isInteger(settings.maxLength) || settings.maxLength < 3 || settings.maxLength > 8192) throw new ValueError(`--max-length: expected an integer from 3 to 8192, got ${settings.maxLength}`);
}

/** The tokenizer of a new run: the init folder's, a tokenizer.json, or BERT's WordPiece trained on `texts`. */
function runTokenizer(settings: FineTuneSettings, texts: readonly string[], log: (line: string) => void): Tokenizer {
  if (settings.init !== null) return Tokenizer.fromFile(join(settings.init, "tokenizer.json"));
  const m = /^wordpiece:(\d+)$/.exec(settings.tokenizer);
  if (m) {
    let shown = 0;
    return trainWordPieceTokenizer(texts, {
      vocabSize: Number(m[1]),
      lowercase: settings.lowercase,
      onProgress: (p) => {
        if (performance.now() - shown > 5000) {
          shown = performance.now();
          log(`tokenizer: ${p.stage} ${p.done}/${p.total}`);
        }
      },
    });
  }
  if (/^[a-z]+:/.test(settings.tokenizer)) throw new ValueError(`--tokenizer: expected wordpiece:N or a path to tokenizer.json, got "${settings.tokenizer}"`);
  return Tokenizer.fromFile(settings.tokenizer);
}

/** The model of a new run: the init folder's encoder with a new head, or a new BERT. */
function runModel(settings: FineTuneSettings, tokenizer: Tokenizer, numLabels: number, padId: number, log: (line: string) => void): SequenceClassifier {
  if (settings.init !== null && settings.distilbert) return distilbertStudent(settings.init, numLabels, log);
  if (settings.init !== null) {
    const { model, newWeights, unusedWeights } = classifierFromEncoder(settings.init, numLabels, settings.pooling ?? undefined);
    log(`model: ${model.architecture} from ${settings.init}; new: ${newWeights.join(", ") || "nothing"}; unused: ${unusedWeights.length} tensors${unusedWeights.length > 0 ? ` (${[...new Set(unusedWeights.map((n) => n.split(".").slice(0, 2).join(".")))].join(", ")})` : ""}`);
    return model;
  }
  const vocab = tokenizer.getVocab(true);
  let vocabSize = 0;
  for (const id of vocab.values()) vocabSize = Math.max(vocabSize, id + 1);
  const pooling = settings.pooling === null ? {} : { classifier_pooling: settings.pooling };
  return new BertForSequenceClassification({ ...settings.model, ...pooling, vocab_size: vocabSize, max_position_embeddings: settings.maxLength, pad_token_id: padId, num_labels: numLabels });
}

/** A DistilBertForSequenceClassification whose encoder is distilbertFromTeacher's copy of the BERT in `dir`. */
function distilbertStudent(dir: string, numLabels: number, log: (line: string) => void): SequenceClassifier {
  const file = join(dir, "config.json");
  const { model: teacher } = fromPretrained(dir, { validate: checkFiniteWeights });
  const architecture = (teacher as { architecture?: string }).architecture;
  if (teacher.modelType !== BERT_MODEL_TYPE || !(architecture === "BertModel" || architecture === "BertForMaskedLM" || architecture === "BertForPreTraining")) {
    throw new ValueError(`--distilbert: ${file} holds a ${teacher.modelType} ${architecture ?? ""}; the teacher must be a BERT encoder (BertModel, BertForMaskedLM or BertForPreTraining)`);
  }
  const student = distilbertFromTeacher(teacher as BertModel | BertForMaskedLM | BertForPreTraining);
  const classifier = new DistilBertForSequenceClassification({ ...student.config, num_labels: numLabels });
  const weights = new Map([...student.stateDict()].filter(([name]) => name.startsWith("distilbert.")));
  const { missingKeys } = classifier.loadStateDict(weights, { strict: false });
  log(`model: DistilBertForSequenceClassification, ${student.config.n_layers} of the teacher's ${(teacher as BertModel).config.num_hidden_layers} layers (${dir}); new: ${missingKeys.join(", ")}`);
  return classifier;
}

function describe(model: SequenceClassifier): string {
  // BERT's config names, or DistilBERT's (n_layers, dim, n_heads).
  const c = model.config as Partial<BertConfig> & { n_layers?: number; dim?: number; n_heads?: number };
  const params = model.parameters().reduce((n, p) => n + p.size, 0);
  return `${model.architecture}: ${c.num_hidden_layers ?? c.n_layers} layers, width ${c.hidden_size ?? c.dim}, ${c.num_attention_heads ?? c.n_heads} heads, ${(params / 1e6).toFixed(2)}M parameters`;
}

/** Scores the test split and writes test_results.json into the run folder. */
function scoreTest(model: SequenceClassifier, tokenizer: Tokenizer, data: ClassificationData, settings: FineTuneSettings, log: (line: string) => void): { report: ClassificationReport | null; seconds: number } {
  if (data.test === null) return { report: null, seconds: 0 };
  const t0 = performance.now();
  const report = evaluateClassifier(model, labelled(tokenizer, data.test, inputOptions(settings)), settings.train.evalBatchSize);
  for (const line of formatReport("test", report, data.labels)) log(line);
  replaceFile(join(settings.out, "test_results.json"), JSON.stringify({ ...report, labels: data.labels }, null, 2) + "\n");
  return { report, seconds: seconds(t0) };
}

/** Options of a new run: replace a run already in the folder. */
export interface NewFineTuneOptions {
  overwrite?: boolean;
}

/**
 * Starts a new fine-tuning run in `settings.out` (see the file comment). Everything that can fail on
 * the data or settings fails before the run folder exists.
 */
export async function startFineTuneRun(settings: FineTuneSettings, hooks: FineTuneHooks = {}, options: NewFineTuneOptions = {}): Promise<FineTuneOutcome> {
  const log = hooks.log ?? ((s: string) => console.log(s));
  const out = settings.out;
  checkSettings(settings);
  if (!isEmptyFolder(out)) {
    if (!options.overwrite) throw new ValueError(`${out} already holds a run: continue it with --resume, replace it with --overwrite, or choose another --out`);
    lockRunFolder(out); // not while another process trains in it
  }
  let t0 = performance.now();
  const data = readClassificationData(settings);
  const count = (xs: readonly LabelledText[]) => data.labels.map((l, i) => `${xs.filter((x) => x.label === i).length} ${l}`).join(", ");
  const tData = seconds(t0);
  log(`data: train ${data.train.length} (${count(data.train)}), validation ${data.validation.length} (${count(data.validation)})${data.test ? `, test ${data.test.length} (${count(data.test)})` : ""} [${tData.toFixed(1)}s]`);
  manualSeed(settings.seed);
  t0 = performance.now();
  const tokenizer = runTokenizer(settings, data.train.map((e) => e.text), log);
  const tTokenizer = seconds(t0);
  log(`tokenizer: ${settings.init !== null ? `from ${settings.init}` : settings.tokenizer}, ${tokenizer.getVocabSize()} tokens [${tTokenizer.toFixed(1)}s]`);
  const inputs = inputOptions(settings);
  const { head, kept } = headTokenBudget(tokenizer, inputs);
  t0 = performance.now();
  const train = labelled(tokenizer, data.train, inputs);
  const validation = labelled(tokenizer, data.validation, inputs);
  const tEncoding = seconds(t0);
  const mean = train.inputs.ids.reduce((n, s) => n + s.length, 0) / train.inputs.ids.length;
  log(`encoded: ≤ ${settings.maxLength} tokens per text (${head} head + ${kept - head} tail when longer), mean ${mean.toFixed(0)} [${tEncoding.toFixed(1)}s]`);
  manualSeed(settings.seed);
  const model = runModel(settings, tokenizer, data.labels.length, train.inputs.padId, log);
  if (settings.maxLength > model.config.max_position_embeddings) {
    throw new ValueError(`--max-length ${settings.maxLength} exceeds the model's max_position_embeddings (${model.config.max_position_embeddings})`);
  }
  const { total } = stepCounts(train.labels.length, settings.train);
  log(`model: ${describe(model)}; ${settings.train.epochs} epochs of ${Math.ceil(train.labels.length / settings.train.batchSize)} steps (batch ${settings.train.batchSize}), lr ${settings.train.lr}`);
  const optimizer = classifierOptimizer(model, settings.train);
  const runOptions = settings as unknown as Record<string, unknown>;
  const state = publishRunFolder(out, (dir) => {
    lockRunFolder(dir); // the folder appears taken by this process
    writeFileAtomic(join(dir, "tokenizer.json"), tokenizer.toString(true));
    const config = classifierTokenizerConfig(inputs, head);
    writeFileAtomic(join(dir, config.name), config.data as string);
    return saveInitialClassifierCheckpoint(dir, model, data.labels, optimizer, total, runOptions);
  }, options.overwrite === true, log);
  t0 = performance.now();
  const result = await fineTune({
    model, labels: data.labels, train, validation, outDir: out, options: settings.train, runOptions, resume: { state, optimizer },
    ...(hooks.progress ? { progress: hooks.progress } : {}), ...(hooks.onStep ? { onStep: hooks.onStep } : {}),
  });
  const tTrain = seconds(t0);
  const test = result.interrupted ? { report: null, seconds: 0 } : scoreTest(model, tokenizer, data, settings, log);
  return { settings, model, tokenizer, labels: data.labels, result, test: test.report, seconds: { data: tData, tokenizer: tTokenizer, encoding: tEncoding, fineTuning: tTrain, test: test.seconds } };
}

/** The settings a run folder's latest checkpoint records (trainer_state.json's options). */
export function readRunSettings(out: string): { settings: FineTuneSettings; checkpoint: string; step: number } {
  const latest = latestCheckpoint(out);
  if (latest === null) throw new ValueError(`${out} holds no checkpoint to resume (is it a fine-tuning run folder?)`);
  const state = readTrainerState(latest.dir);
  const o = state.options as Partial<FineTuneSettings>;
  if (typeof o.maxLength !== "number" || typeof o.train !== "object" || o.train === null || !("epochs" in o.train)) {
    throw new ValueError(`${join(latest.dir, "trainer_state.json")}: options are not those of a fine-tuning run (loom bert finetune)`);
  }
  return { settings: { ...defaultFineTuneSettings, ...o, out } as FineTuneSettings, checkpoint: latest.dir, step: latest.step };
}

/** Continues the run in `out` from its latest complete checkpoint, with its own settings (and `epochs` if given). */
export async function resumeFineTuneRun(out: string, overrides: { epochs?: number } = {}, hooks: FineTuneHooks = {}): Promise<FineTuneOutcome> {
  const log = hooks.log ?? ((s: string) => console.log(s));
  lockRunFolder(out);
  for (const name of repairRunFolder(out)) log(`removed ${join(out, name)}, left by an interrupted save`);
  const { settings: saved, checkpoint, step } = readRunSettings(out);
  const settings: FineTuneSettings = { ...saved, train: { ...saved.train, ...(overrides.epochs !== undefined ? { epochs: overrides.epochs } : {}) } };
  checkSettings(settings);
  let t0 = performance.now();
  const data = readClassificationData(settings);
  const tData = seconds(t0);
  const tokenizer = Tokenizer.fromFile(join(out, "tokenizer.json"));
  const inputs = inputOptions(settings);
  t0 = performance.now();
  const train = labelled(tokenizer, data.train, inputs);
  const validation = labelled(tokenizer, data.validation, inputs);
  const tEncoding = seconds(t0);
  const { model: loaded } = fromPretrained(checkpoint, { validate: checkFiniteWeights });
  const model = asSequenceClassifier(loaded, join(checkpoint, "config.json"));
  const optimizer = classifierOptimizer(model, settings.train);
  const state = loadTrainingState(checkpoint, optimizer, step);
  const { total } = stepCounts(train.labels.length, settings.train);
  log(`resuming ${out} at step ${step} of ${total}`);
  t0 = performance.now();
  const result = await fineTune({
    model, labels: data.labels, train, validation, outDir: out, options: settings.train, runOptions: settings as unknown as Record<string, unknown>,
    resume: { state, optimizer }, ...(hooks.progress ? { progress: hooks.progress } : {}), ...(hooks.onStep ? { onStep: hooks.onStep } : {}),
  });
  const tTrain = seconds(t0);
  const test = result.interrupted ? { report: null, seconds: 0 } : scoreTest(model, tokenizer, data, settings, log);
  return { settings, model, tokenizer, labels: data.labels, result, test: test.report, seconds: { data: tData, tokenizer: 0, encoding: tEncoding, fineTuning: tTrain, test: test.seconds } };
}
