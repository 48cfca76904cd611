/** Tiny DOM helpers: elements from a tag, attributes and children; number formatting. */

/** Attributes of {@link el}: strings set as attributes, functions under `on…` as event listeners. */
export type Attributes = Record<string, string | number | boolean | ((event: Event) => void) | undefined>;

/** A new element with attributes (`class`, `data-*`, `onclick` …) and children (nodes or text). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children);
  return node;
}

/** A number in a short readable form: 3 significant digits, k/M suffixes above 10⁴. */
export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  const a = Math.abs(x);
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  if (a !== 0 && a < 1e-3) return x.toExponential(2);
  return Number(x.toPrecision(4)).toString();
}

/** A light colour for token number i, distinct from its neighbours (golden-angle hues). */
export function tokenColour(i: number): string {
  return `hsl(${(i * 137.508) % 360}, 70%, 85%)`;
}

/** Shows a token's text with its whitespace visible (· for spaces, ⏎ for newlines). */
export function visibleText(text: string): string {
  return text.replace(/ /g, "·").replace(/\n/g, "⏎").replace(/\t/g, "⇥");
}
