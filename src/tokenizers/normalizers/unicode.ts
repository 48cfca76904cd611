/** Unicode normalization forms as normalizers: {"type":"NFC"}, NFD, NFKC, NFKD. */
import type { NormalizedString } from "../normalized-string.js";
import type { Normalizer } from "./normalizer.js";

/** {"type":"NFC"}: Unicode canonical composition. */
export class NFC implements Normalizer {
  readonly type = "NFC";
  normalize(s: NormalizedString): void {
    s.nfc();
  }
  normalizeString(text: string): string {
    return text.normalize("NFC");
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type };
  }
}

/** {"type":"NFD"}: Unicode canonical decomposition. */
export class NFD implements Normalizer {
  readonly type = "NFD";
  normalize(s: NormalizedString): void {
    s.nfd();
  }
  normalizeString(text: string): string {
    return text.normalize("NFD");
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type };
  }
}

/** {"type":"NFKC"}: Unicode compatibility composition. */
export class NFKC implements Normalizer {
  readonly type = "NFKC";
  normalize(s: NormalizedString): void {
    s.nfkc();
  }
  normalizeString(text: string): string {
    return text.normalize("NFKC");
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type };
  }
}

/** {"type":"NFKD"}: Unicode compatibility decomposition. */
export class NFKD implements Normalizer {
  readonly type = "NFKD";
  normalize(s: NormalizedString): void {
    s.nfkd();
  }
  normalizeString(text: string): string {
    return text.normalize("NFKD");
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type };
  }
}
