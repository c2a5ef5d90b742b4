import { invalidArgument } from "../core/errors.js";
import type { FieldOptions, TweetFormat } from "../data/readers.js";

/** The flags every command that reads tweets takes. */
export const FIELD_FLAGS = {
  "text-field": { type: "string" },
  "id-field": { type: "string" },
  "time-field": { type: "string" },
  format: { type: "string" },
} as const;

export const FIELD_HELP = `  --text-field NAME    field or CSV column with the tweet text (default: the first not empty of note_tweet.text,
                       extended_tweet.full_text, full_text, text, tweet, content, body, reblog.content)
  --time-field NAME    field with the time (default: created_at, date, timestamp, …); dotted paths reach into JSON
  --id-field NAME      field with the tweet id (default: id, id_str, tweet_id)
  --format F           jsonl, csv or tsv (default: from the file name, else from its first character)`;

export function fieldOptions(values: { "text-field"?: string; "id-field"?: string; "time-field"?: string; format?: string }): FieldOptions {
  const options: FieldOptions = {};
  if (values["text-field"] !== undefined) options.textField = values["text-field"];
  if (values["id-field"] !== undefined) options.idField = values["id-field"];
  if (values["time-field"] !== undefined) options.timeField = values["time-field"];
  if (values.format !== undefined) {
    if (!["jsonl", "csv", "tsv"].includes(values.format)) throw invalidArgument(`--format must be jsonl, csv or tsv, got '${values.format}'`);
    options.format = values.format as TweetFormat;
  }
  return options;
}
