/** The built-in normalizers, registered by their tokenizer.json `"type"`. */
import { BertNormalizer } from "./bert.js";
import { Lowercase } from "./lowercase.js";
import { normalizerRegistry } from "./normalizer.js";
import { Prepend } from "./prepend.js";
import { Precompiled } from "./precompiled.js";
import { Replace } from "./replace.js";
import { NormalizerSequence } from "./sequence.js";
import { Strip, StripAccents } from "./strip.js";
import { NFC, NFD, NFKC, NFKD } from "./unicode.js";

normalizerRegistry.register("NFC", () => new NFC());
normalizerRegistry.register("NFD", () => new NFD());
normalizerRegistry.register("NFKC", () => new NFKC());
normalizerRegistry.register("NFKD", () => new NFKD());
normalizerRegistry.register("Lowercase", () => new Lowercase());
normalizerRegistry.register("StripAccents", () => new StripAccents());
normalizerRegistry.register("Strip", Strip.fromJSON);
normalizerRegistry.register("Replace", Replace.fromJSON);
normalizerRegistry.register("Prepend", Prepend.fromJSON);
normalizerRegistry.register("BertNormalizer", BertNormalizer.fromJSON);
normalizerRegistry.register("Sequence", NormalizerSequence.fromJSON);
normalizerRegistry.register("Precompiled", Precompiled.fromJSON);

export { normalizerRegistry, type Normalizer } from "./normalizer.js";
export { BertNormalizer, type BertNormalizerOptions } from "./bert.js";
export { Lowercase } from "./lowercase.js";
export { Prepend } from "./prepend.js";
export { Precompiled } from "./precompiled.js";
export { Replace } from "./replace.js";
export { NormalizerSequence } from "./sequence.js";
export { Strip, StripAccents } from "./strip.js";
export { NFC, NFD, NFKC, NFKD } from "./unicode.js";
