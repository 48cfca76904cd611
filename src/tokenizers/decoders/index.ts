/** The built-in decoders, registered by their tokenizer.json `"type"`. */
import { BPEDecoder } from "./bpe.js";
import { ByteLevelDecoder } from "./byte-level.js";
import { ByteFallback } from "./byte-fallback.js";
import { decoderRegistry } from "./decoder.js";
import { Fuse } from "./fuse.js";
import { MetaspaceDecoder } from "./metaspace.js";
import { ReplaceDecoder } from "./replace.js";
import { DecoderSequence } from "./sequence.js";
import { StripDecoder } from "./strip.js";
import { WordPieceDecoder } from "./wordpiece.js";

decoderRegistry.register("ByteLevel", ByteLevelDecoder.fromJSON);
decoderRegistry.register("WordPiece", WordPieceDecoder.fromJSON);
decoderRegistry.register("BPEDecoder", BPEDecoder.fromJSON);
decoderRegistry.register("Fuse", () => new Fuse());
decoderRegistry.register("Strip", StripDecoder.fromJSON);
decoderRegistry.register("Replace", ReplaceDecoder.fromJSON);
decoderRegistry.register("Sequence", DecoderSequence.fromJSON);
decoderRegistry.register("Metaspace", MetaspaceDecoder.fromJSON);
decoderRegistry.register("ByteFallback", () => new ByteFallback());

export { decoderRegistry, decode, type Decoder } from "./decoder.js";
export { BPEDecoder } from "./bpe.js";
export { ByteLevelDecoder } from "./byte-level.js";
export { ByteFallback } from "./byte-fallback.js";
export { Fuse } from "./fuse.js";
export { MetaspaceDecoder } from "./metaspace.js";
export { ReplaceDecoder } from "./replace.js";
export { DecoderSequence } from "./sequence.js";
export { StripDecoder } from "./strip.js";
export { WordPieceDecoder, cleanupTokenization } from "./wordpiece.js";
