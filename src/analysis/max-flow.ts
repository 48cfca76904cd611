/**
 * Maximum flow on a small directed graph with real capacities, by Dinic's algorithm (Dinic 1970):
 * breadth-first levels from the source, then blocking flows along level-increasing paths found by
 * depth-first search, repeated until the sink is unreachable. Attention flow (Abnar & Zuidema 2020)
 * runs it on the layered attention graph.
 */
import { ValueError } from "../errors.js";

/** Residual capacities below this count as zero, so float round-off cannot create endless augmenting paths. */
const CAPACITY_EPSILON = 1e-12;

/** A directed graph with edge capacities, built once and queried with {@link FlowNetwork.maxFlow}. */
export class FlowNetwork {
  /** Number of nodes, 0 … nodes − 1. */
  readonly nodes: number;
  private readonly heads: number[][];
  private readonly to: number[] = [];
  private readonly capacity: number[] = [];

  /** @param nodes number of nodes. */
  constructor(nodes: number) {
    if (!Number.isInteger(nodes) || nodes < 2) throw new ValueError(`FlowNetwork: needs at least 2 nodes, got ${nodes}`);
    this.nodes = nodes;
    this.heads = Array.from({ length: nodes }, () => []);
  }

  /** Adds an edge `from → to` with a capacity >= 0 (parallel edges add up). */
  addEdge(from: number, to: number, capacity: number): void {
    this.checkNode(from, "from");
    this.checkNode(to, "to");
    if (!(capacity >= 0) || !Number.isFinite(capacity)) throw new ValueError(`FlowNetwork.addEdge: capacity ${capacity} of ${from}→${to} must be finite and >= 0`);
    // Edge e and its reverse e ^ 1 sit side by side, so the residual partner is found without a lookup.
    this.heads[from]!.push(this.to.length);
    this.to.push(to);
    this.capacity.push(capacity);
    this.heads[to]!.push(this.to.length);
    this.to.push(from);
    this.capacity.push(0);
  }

  /** The value of a maximum flow from `source` to `sink`; the network itself is left unchanged. */
  maxFlow(source: number, sink: number): number {
    this.checkNode(source, "source");
    this.checkNode(sink, "sink");
    if (source === sink) throw new ValueError(`FlowNetwork.maxFlow: source and sink are both node ${source}`);
    const residual = Float64Array.from(this.capacity);
    const level = new Int32Array(this.nodes);
    const cursor = new Int32Array(this.nodes);
    let total = 0;
    for (;;) {
      level.fill(-1);
      level[source] = 0;
      const queue = [source];
      for (let i = 0; i < queue.length; i++) {
        const u = queue[i]!;
        for (const e of this.heads[u]!) {
          const v = this.to[e]!;
          if (level[v] === -1 && residual[e]! > CAPACITY_EPSILON) {
            level[v] = level[u]! + 1;
            queue.push(v);
          }
        }
      }
      if (level[sink] === -1) return total;
      cursor.fill(0);
      for (;;) {
        const pushed = this.augment(source, sink, Number.POSITIVE_INFINITY, residual, level, cursor);
        if (pushed <= CAPACITY_EPSILON) break;
        total += pushed;
      }
    }
  }

  private augment(u: number, sink: number, limit: number, residual: Float64Array, level: Int32Array, cursor: Int32Array): number {
    if (u === sink) return limit;
    const edges = this.heads[u]!;
    for (; cursor[u]! < edges.length; cursor[u]!++) {
      const e = edges[cursor[u]!]!;
      const v = this.to[e]!;
      if (level[v] !== level[u]! + 1 || residual[e]! <= CAPACITY_EPSILON) continue;
      const pushed = this.augment(v, sink, Math.min(limit, residual[e]!), residual, level, cursor);
      if (pushed > CAPACITY_EPSILON) {
        residual[e]! -= pushed;
        residual[e ^ 1]! += pushed;
        return pushed;
      }
    }
    return 0;
  }

  private checkNode(node: number, what: string): void {
    if (!Number.isInteger(node) || node < 0 || node >= this.nodes) throw new ValueError(`FlowNetwork: ${what} node ${node} is not in [0, ${this.nodes})`);
  }
}
