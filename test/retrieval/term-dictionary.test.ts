import { describe, expect, it } from "vitest";
import { TermDictionary } from "../../src/retrieval/term-dictionary.js";

describe("TermDictionary", () => {
  it("gives each term one id through random adds and deletes, ids reused, the table grown", () => {
    const dictionary = new TermDictionary();
    const reference = new Map<string, number>();
    let seed = 3;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let step = 0; step < 30_000; step++) {
      const term = `t${Math.floor(random() * 6000)}${random() < 0.3 ? " bigram" : ""}`;
      if (reference.has(term) && random() < 0.4) {
        dictionary.delete(reference.get(term)!);
        reference.delete(term);
      } else {
        const id = dictionary.add(term);
        if (reference.has(term)) expect(id).toBe(reference.get(term));
        else expect([...reference.values()]).not.toContain(id); // a fresh (or freed) id
        reference.set(term, id);
      }
    }
    expect(dictionary.size).toBe(reference.size);
    expect(dictionary["slots"]).toBeGreaterThan(4096); // it grew (a look inside)
    for (const [term, id] of reference) expect(dictionary.find(term)).toBe(id);
    for (let i = 0; i < 6000; i++) if (!reference.has(`t${i}`)) expect(dictionary.find(`t${i}`)).toBeUndefined();
    expect(dictionary.find("")).toBeUndefined();
    expect(dictionary.find("t1 bigram")).toBe(reference.get("t1 bigram"));
    // Terms deleted stay gone when the table is built anew.
    const deleted = [...reference.keys()].slice(0, 100);
    for (const term of deleted) dictionary.delete(reference.get(term)!);
    const before = dictionary["slots"];
    for (let i = 0; dictionary["slots"] === before; i++) dictionary.add(`new${i}`);
    for (const term of deleted) expect(dictionary.find(term)).toBeUndefined();
  });
});
