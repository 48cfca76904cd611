// A new app that depends on loom, compiled with `strict` against the installed package's types and run
// with plain Node: an MLP, a BPE tokenizer trained in code, a tiny GPT trained into a run folder,
// the run folder loaded back, streamed generation, and a model saved and reloaded.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  data, generation, losses, manualSeed, models, noGrad, nn, optim, safetensors, tensor, tokenizers, training, Trainer, type Tensor,
} from "loom";

const report: Record<string, unknown> = {};
const work = mkdtempSync(join(tmpdir(), "loom-app-"));

// 1. An MLP learns XOR.
manualSeed(0);
const mlp = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 1));
const opt = new optim.Adam(mlp.parameters(), { lr: 0.05 });
const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const y = tensor([[0], [1], [1], [0]]);
let mse = Infinity;
for (let step = 0; step < 300; step++) {
  const loss = losses.mseLoss(mlp.forward(x), y);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  mse = loss.item();
}
report.mlpLoss = mse;

// 2. A byte-level BPE tokenizer trained in code, saved and loaded back.
const texts = Array.from({ length: 40 }, (_, i) => `The loom weaves thread ${i % 7} into cloth, row after row.`);
const tokenizer = new tokenizers.Tokenizer(new tokenizers.models.BPE(new Map(), []));
tokenizer.preTokenizer = new tokenizers.preTokenizers.ByteLevelPreTokenizer({ addPrefixSpace: false });
tokenizer.decoder = new tokenizers.decoders.ByteLevelDecoder();
tokenizer.trainFromTexts(texts, new tokenizers.BpeTrainer({
  vocabSize: 300, specialTokens: ["<|endoftext|>"], initialAlphabet: tokenizers.trainers.byteLevelAlphabet(),
}));
tokenizer.save(join(work, "tokenizer.json"));
const reloadedTokenizer = tokenizers.Tokenizer.fromFile(join(work, "tokenizer.json"));
report.vocabSize = reloadedTokenizer.getVocabSize();
report.roundTrip = reloadedTokenizer.decode(reloadedTokenizer.encode(texts[0] as string).ids) === texts[0];

// 3. A tiny GPT trained with the Trainer into a run folder.
const documents: data.Document[] = texts.map((text, i) => ({ name: `line${i}`, text }));
const split = data.splitDocuments(documents);
const trainStream = training.encodeDocuments(tokenizer, split.train);
const validationStream = training.encodeDocuments(tokenizer, split.validation);
const runDir = join(work, "run");
const gpt = new models.GPT({ vocab_size: tokenizer.getVocabSize(), n_layer: 1, n_head: 2, n_embd: 16, n_positions: 16 });
const trainer = new Trainer({
  model: gpt, train: trainStream, validation: validationStream, outDir: runDir, progress: "none",
  options: { steps: 30, blockSize: 16, batchSize: 4, warmupSteps: 3, lr: 3e-3, evalBlocks: 4 },
});
const result = await trainer.train();
training.saveTokenizer(runDir, tokenizer);
report.trainedSteps = result.steps;
report.runDir = runDir;
report.validationLoss = result.validation?.loss;

// 4. The run folder loaded with the run-folder loader; 5. streamed generation from it.
const { model: loaded } = training.loadLanguageModel(runDir);
const runTokenizer = training.loadTokenizer(runDir);
const pieces: string[] = [];
for await (const piece of generation.streamText(loaded, runTokenizer, "The loom", { maxNewTokens: 12, temperature: 0, stopIds: [] })) pieces.push(piece);
report.streamedPieces = pieces.length;
report.streamedEqualsGreedy = pieces.join("") === generation.generateText(loaded, runTokenizer, "The loom", { maxNewTokens: 12, temperature: 0, stopIds: [] });

// 6. A model saved as safetensors and reloaded into a fresh one gives the same logits.
safetensors.save(gpt.stateDict(), join(work, "weights.safetensors"), { format: "pt" });
const copy = new models.GPT(gpt.config);
copy.loadStateDict(safetensors.load(join(work, "weights.safetensors")));
gpt.eval(); // no dropout: both models must compute the same function
copy.eval();
const ids = tensor([[1, 2, 3, 4]], { dtype: "int32" });
const [a, b] = noGrad(() => [gpt.forward(ids).logits, copy.forward(ids).logits] as [Tensor, Tensor]);
report.reloadMaxDifference = a.sub(b).abs().max().item();

// 6b. The same with a model folder: savePretrained writes config.json + model.safetensors, fromPretrained
// finds the family in config.json and loads the weights.
const folder = join(work, "pretrained");
models.savePretrained(gpt, folder);
const { model: again } = models.fromPretrained(folder);
if (!(again instanceof models.GPT)) throw new Error(`expected a GPT, got ${again.modelType}`);
again.eval();
const c = noGrad(() => again.forward(ids).logits);
report.pretrainedMaxDifference = a.sub(c).abs().max().item();

// 7. The bundled corpus is not installed with the library: reading it says what to install.
try {
  data.readCorpus("sotu");
  report.corpus = "present";
} catch (e) {
  report.corpus = (e as Error).message;
}

console.log(JSON.stringify(report));
