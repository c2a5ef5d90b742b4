import { toExample, type Example } from "../../src/data/examples.js";

/** An example from a raw text at an ISO time, as the readers and cleaner would make it. */
export function example(text: string, at: string, id = text): Example {
  return { ...toExample({ id, createdAt: Date.parse(at), text, line: 0 }) };
}
