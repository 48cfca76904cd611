/**
 * Errors are values of named classes (DESIGN.md decision 7). Messages name the op or file and the
 * offending values, e.g. `matmul: cannot multiply [2,3] by [4,5]`.
 */

/** Base class of every error loom throws on purpose. */
export class LoomError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit together: names the op and the shapes. */
export class ShapeError extends LoomError {}

/** A dtype an op does not accept, or two dtypes that cannot be combined. */
export class DTypeError extends LoomError {}

/** An index or dimension out of range. */
export class IndexError extends LoomError {}

/** A value outside what an argument accepts (negative size, unknown option, …). */
export class ValueError extends LoomError {}

/** Misuse of autograd: backward through a freed graph, in-place change of a leaf that needs grad, … */
export class AutogradError extends LoomError {}

/**
 * A tensor too large to allocate: more elements than a tensor may hold, or more memory than the engine
 * gives. Names the op, the dtype and shape, and the limit.
 */
export class AllocationError extends LoomError {}

/** A malformed file (tokenizer.json, safetensors, checkpoint, config): names the file and the field. */
export class FormatError extends LoomError {
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${file}: ${field}: ${detail}`);
  }
}

/** A file-system operation that failed: names the path, what was being done and why, in words. */
export class FileError extends LoomError {
  constructor(
    readonly path: string,
    readonly action: string,
    readonly code: string | undefined,
    reason: string,
  ) {
    super(`${path}: cannot ${action}: ${reason}`);
  }
}

/** Formats a shape the way messages show it: `[2,3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}
