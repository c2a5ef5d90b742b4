import { describe, expect, it } from "vitest";
import { HashtagIds } from "../../src/retrieval/hashtag-ids.js";

describe("HashtagIds", () => {
  it("gives the indexed keys their places for good, and other keys the lowest free id, reused once released", () => {
    const ids = new HashtagIds(["leafs", "anzacday"]);
    expect([ids.find("leafs"), ids.find("anzacday"), ids.capacity, ids.indexed]).toEqual([0, 1, 2, 2]);
    expect(ids.add("fresh")).toBe(2);
    expect(ids.add("new")).toBe(3);
    ids.release(1); // indexed: kept
    ids.release(2);
    expect(ids.find("anzacday")).toBe(1);
    expect(ids.find("fresh")).toBeUndefined();
    expect(ids.has(2)).toBe(false);
    expect(ids.add("other")).toBe(2);
    expect([ids.find("other"), ids.has(2), ids.capacity]).toEqual([2, true, 4]);
  });
});
