// Embedding lookup and its scatter-add gradient over float32 rows of `dim` elements, with the
// formulas of the reference kernel (src/backend/reference/embedding.ts):
//   gather:      out[i, :] = table[ids[i], :]
//   scatterAdd:  table[ids[i], :] += dOut[i, :]  for every i with ids[i] ≠ skip (−1: none)
// ids are int32 and already checked against the table's rows by the caller. Pointers are byte offsets.

/** Copies row ids[i] of `table` to row i of `out`, for i < n. */
export function embeddingGather(out: usize, table: usize, ids: usize, n: i32, dim: i32): void {
  const rowBytes = <usize>dim << 2;
  for (let i = 0; i < n; i++) {
    const src = table + <usize>load<i32>(ids + (<usize>i << 2)) * rowBytes;
    const dst = out + <usize>i * rowBytes;
    let o: usize = 0;
    for (; o + 16 <= rowBytes; o += 16) v128.store(dst + o, v128.load(src + o));
    for (; o < rowBytes; o += 4) store<f32>(dst + o, load<f32>(src + o));
  }
}

/** Adds row i of `dOut` into row ids[i] of `table`, for i < n, skipping rows whose id is `skip`. */
export function embeddingScatterAdd(table: usize, dOut: usize, ids: usize, n: i32, dim: i32, skip: i32): void {
  const rowBytes = <usize>dim << 2;
  for (let i = 0; i < n; i++) {
    const id = load<i32>(ids + (<usize>i << 2));
    if (id == skip) continue;
    const dst = table + <usize>id * rowBytes;
    const src = dOut + <usize>i * rowBytes;
    let o: usize = 0;
    for (; o + 16 <= rowBytes; o += 16) v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
    for (; o < rowBytes; o += 4) store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}
