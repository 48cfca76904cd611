export { writeFileAtomic } from "./atomic.js";
export {
  saveSafetensors, loadSafetensors, encodeSafetensors, decodeSafetensors, halfToFloat,
  type SafetensorsDType, type SafetensorsArray, type SafetensorsEntry, type SafetensorsFile, type SafetensorsInput,
  type SafetensorsWriteOptions,
} from "./safetensors.js";
