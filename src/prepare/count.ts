import { HashtagCounter } from "../data/vocabulary.js";
import { tokenizerTrainingText } from "./filters.js";
import { readKeptRows, tagMentions } from "./kept-rows.js";
import { StreamWriter } from "./line-writer.js";
import { isValidation } from "./split.js";

/**
 * What the second pass found: hashtag usage on training rows and the split sizes.
 *
 * @example
 * ```ts
 * const { counter, nTrain, nVal } = await countTraining(rowsPath, split, textPath);
 * ```
 */
export interface CountResult {
  counter: HashtagCounter;
  nTrain: number;
  nVal: number;
  /** Training rows with a time earlier than the training row before them (0: in time order). */
  trainOutOfOrder: number;
  /** Training texts for the tokenizer checks (the first few). */
  sampleTexts: string[];
}

/**
 * Second pass of `prepare`: counts hashtags on the training rows only and writes their cleaned
 * queries (mentions as `@user`), one a line, to `textPath` for the tokenizer trainer.
 *
 * @example
 * ```ts
 * const { counter, nTrain, nVal } = await countTraining("/tmp/kept.jsonl", split, "/tmp/train-text.txt");
 * counter.top({ k: 10, minCount: 2 });
 * ```
 */
export async function countTraining(
  rowsPath: string,
  split: number | undefined,
  textPath: string,
  options: { sampleSize?: number; onRow?: (done: number) => void } = {},
): Promise<CountResult> {
  const counter = new HashtagCounter();
  const sampleSize = options.sampleSize ?? 1000;
  const result: CountResult = { counter, nTrain: 0, nVal: 0, trainOutOfOrder: 0, sampleTexts: [] };
  let lastTime = -Infinity;
  const text = new StreamWriter(textPath);
  try {
    for await (const row of readKeptRows(rowsPath)) {
      options.onRow?.(result.nTrain + result.nVal + 1);
      if (isValidation(row.time, split)) {
        result.nVal += 1;
        continue;
      }
      result.nTrain += 1;
      if (row.time !== null) {
        if (row.time < lastTime) result.trainOutOfOrder += 1;
        lastTime = Math.max(lastTime, row.time);
      }
      counter.add(tagMentions(row), row.time ?? undefined);
      const line = tokenizerTrainingText(row.query);
      if (result.sampleTexts.length < sampleSize) result.sampleTexts.push(line);
      await text.write(line + "\n");
    }
  } finally {
    await text.close();
  }
  return result;
}
