/**
 * The token ↔ id tables shared by the vocabulary-based models (BPE, WordPiece, WordLevel): the vocab
 * map, its inverse, the Model lookups over them, and the id-ordered `"vocab"` object of tokenizer.json.
 */
export abstract class VocabularyModel {
  readonly vocab: Map<string, number>;
  protected readonly idToTokenMap = new Map<number, string>();

  constructor(vocab: Map<string, number>) {
    this.vocab = vocab;
    for (const [t, id] of vocab) this.idToTokenMap.set(id, t);
  }

  tokenToId(token: string): number | undefined {
    return this.vocab.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.idToTokenMap.get(id);
  }

  getVocab(): Map<string, number> {
    return new Map(this.vocab);
  }

  getVocabSize(): number {
    return this.vocab.size;
  }

  /** `{ token: id }` in id order, as tokenizer.json writes it. */
  protected vocabJSON(): Record<string, number> {
    const vocab: Record<string, number> = {};
    for (const [t, id] of [...this.vocab].sort((a, b) => a[1] - b[1])) vocab[t] = id;
    return vocab;
  }
}
