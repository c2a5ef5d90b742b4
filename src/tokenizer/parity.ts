import { readFile } from "node:fs/promises";
import { Tokenizer } from "tokenizers";
import type { HashtagTokenizer } from "./hashtag-tokenizer.js";

/**
 * How the pure-JS word-piece encoder compared with the native (Rust) one.
 *
 * @example
 * ```ts
 * const report: ParityReport = { checked: 1000, mismatches: 0 }; // prepare on tweets-2023
 * ```
 */
export interface ParityReport {
  checked: number;
  mismatches: number;
  /** The first text on which they differ, with both id lists. */
  first?: { text: string; native: number[]; js: number[] };
}

/**
 * Encodes each text with the native `tokenizers` package and with the pure-JS encoder of
 * `tokenizer` (the one serving uses), both from the same `tokenizer.json` with its added tokens
 * set aside, and counts the texts whose ids differ.
 *
 * @example
 * ```ts
 * const report = await checkPieceParity("out/tokenizer.json", tok, ["Lest we forget", "Café crème 🏒"]);
 * // { checked: 2, mismatches: 0 }
 * ```
 */
export async function checkPieceParity(tokenizerJsonPath: string, tokenizer: HashtagTokenizer, texts: readonly string[]): Promise<ParityReport> {
  const json = JSON.parse(await readFile(tokenizerJsonPath, "utf8")) as Record<string, unknown>;
  const native = Tokenizer.fromString(JSON.stringify({ ...json, added_tokens: [], post_processor: null }));
  const report: ParityReport = { checked: 0, mismatches: 0 };
  for (const text of texts) {
    const expected = text.trim().length === 0 ? [] : (await native.encode(text, null, { addSpecialTokens: false })).getIds();
    const actual = tokenizer.encodeWordPieces(text);
    report.checked += 1;
    if (expected.length === actual.length && expected.every((id, i) => id === actual[i])) continue;
    report.mismatches += 1;
    report.first ??= { text, native: expected, js: actual };
  }
  return report;
}
