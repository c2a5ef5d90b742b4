import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildHashtagTokenizer, saveTokenizerFiles } from "../../src/tokenizer/build.js";
import { HashtagTokenizer } from "../../src/tokenizer/hashtag-tokenizer.js";
import { trainBaseVocabulary } from "../../src/tokenizer/train.js";

/** A few sentences the test tokenizer learns its word pieces from. */
export const TRAINING_TEXT = [
  "lest we forget the dawn service this morning",
  "taking notes at the conference, a note on each talk",
  "the leafs won the game tonight in overtime",
  "@user great call coach, what a game",
  "fish & chips with friends after the match",
  "café crème and croissants for breakfast",
  "new episode tonight, the judges loved the dish",
  "rt: q&a … hi [mask] #1",
];

/**
 * Trains a tiny tokenizer with the given hashtag keys, saves it in a temp directory
 * (tokenizer.json only) and loads it with the pure-JS encoder.
 */
export async function buildTestTokenizer(keys: string[], options: { maxLength?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "hashtag-tok-"));
  const text = join(dir, "text.txt");
  writeFileSync(text, Array.from({ length: 5 }, () => TRAINING_TEXT.join("\n")).join("\n") + "\n");
  const base = trainBaseVocabulary([text], { vocabSize: 400 });
  const built = buildHashtagTokenizer(base, keys);
  await saveTokenizerFiles(dir, built, { maxLength: options.maxLength ?? 64 });
  const tokenizer = await HashtagTokenizer.load(dir, options);
  return { dir, base, built, tokenizer, tokens: (ids: number[]) => ids.map((id) => tokenizer.idToToken(id)) };
}
