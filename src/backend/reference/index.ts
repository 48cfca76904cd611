/** The reference backend: readable TypeScript kernels, the oracle every faster backend is tested against. */
import type { Backend, FloatArray, MatmulLayout } from "../backend.js";
import { matmulReference } from "./matmul.js";

export class ReferenceBackend implements Backend {
  readonly name: string = "js";
  matmul(out: FloatArray, a: FloatArray, b: FloatArray, layout: MatmulLayout): void {
    matmulReference(out, a, b, layout);
  }
}
