/** Attentional sequence-to-sequence models over recurrent layers (decoded through generate/'s decoder-step interface). */
export { Seq2Seq, Seq2SeqDecoderStep, type Seq2SeqOutput, type TeacherForcingOptions } from "./model.js";
export { type Seq2SeqConfig, type Seq2SeqOptions, type AttentionKind, type RecurrentCellKind, defaultSeq2SeqConfig, seq2seqConfig } from "./config.js";
export { Seq2SeqEncoder, type EncoderOutput } from "./encoder.js";
export { Seq2SeqDecoder, type DecoderState, type DecoderOutput } from "./decoder.js";
export { Attention, type AttentionMemory, type AttentionOutput } from "./attention.js";
export { BahdanauAttention, type AdditiveAttentionOptions } from "./bahdanau-attention.js";
export { LuongAttention, type LuongScore, type LuongAttentionOptions } from "./luong-attention.js";
export { sourceMaskFromLengths, sourceMaskFromIds, maskedSoftmax, maskLengths } from "./masking.js";
export { teacherForcingRatio, type TeacherForcingSchedule } from "./teacher-forcing.js";
