import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { checkXml } from "./helpers.js";

// The SVG tests rely on checkXml rejecting broken documents; show that it does.
describe("analysis test helper checkXml", () => {
  test("accepts a well-formed document and counts elements", () => {
    const { counts, texts } = checkXml(`<svg a="1"><g><rect/><rect x="&amp;"/></g><text>a &lt;b&gt;</text></svg>`);
    assert.equal(counts.get("rect"), 2);
    assert.deepEqual(texts, ["a <b>"]);
  });
  test("rejects broken documents", () => {
    assert.throws(() => checkXml(`<svg><g></svg>`));
    assert.throws(() => checkXml(`<svg><text>a < b</text></svg>`));
    assert.throws(() => checkXml(`<svg><text>a & b</text></svg>`));
    assert.throws(() => checkXml(`<svg x="a"b"></svg>`));
    assert.throws(() => checkXml(`<svg></svg><svg></svg>`));
  });
});
