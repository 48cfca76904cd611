/** Recurrent cells and layers (PyTorch-compatible RNN, LSTM, GRU), their fused step ops and BPTT helpers. */
export { RNNCell, LSTMCell, GRUCell, type RecurrentCellOptions, type RNNCellOptions, type LSTMCellOptions, type LSTMVariantOptions } from "./cells.js";
export { RNN, LSTM, GRU, type RecurrentOptions, type RNNOptions, type LSTMOptions, type GRUOptions, type SequenceOptions } from "./layers.js";
export { lstmStep, gruStep, rnnStep, type LstmStepResult } from "./cell-ops.js";
export { recurrentSequence, type CellKind, type SequenceWeights, type SequenceSpec, type SequenceResult } from "./sequence-op.js";
export { detachState, type LSTMState, type RecurrentState } from "./state.js";
export { recordStepGradNorms, type StepGradNorms } from "./step-grad-norms.js";
