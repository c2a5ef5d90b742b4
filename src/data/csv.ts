import type { Readable } from "node:stream";

/** One CSV record with the line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * A streaming RFC 4180 parser: quoted fields may hold delimiters, doubled quotes and newlines.
 * Memory stays constant in the number of records. A leading byte-order mark is dropped.
 */
export async function* parseCsv(stream: Readable, delimiter = ","): AsyncGenerator<CsvRecord> {
  let fields: string[] = [];
  let field = "";
  let inQuotes = false;
  let quoteSeenInQuotes = false;
  let line = 1;
  let recordLine = 1;
  let first = true;
  let pendingCR = false;
  let recordHasContent = false;

  const endField = () => {
    fields.push(field);
    field = "";
  };

  for await (const chunk of stream) {
    let text = chunk as string;
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (pendingCR) {
        pendingCR = false;
        if (ch === "\n") continue;
      }
      if (inQuotes) {
        if (quoteSeenInQuotes) {
          quoteSeenInQuotes = false;
          if (ch === '"') {
            field += '"';
            continue;
          }
          inQuotes = false;
          // fall through: the quote closed the field; handle `ch` as unquoted
        } else if (ch === '"') {
          quoteSeenInQuotes = true;
          continue;
        } else {
          if (ch === "\n" || ch === "\r") line += 1;
          if (ch === "\r") pendingCR = true;
          field += ch === "\r" ? "\n" : ch;
          continue;
        }
      }
      if (ch === '"' && field.length === 0) {
        inQuotes = true;
        recordHasContent = true;
      } else if (ch === delimiter) {
        endField();
        recordHasContent = true;
      } else if (ch === "\n" || ch === "\r") {
        if (ch === "\r") pendingCR = true;
        if (recordHasContent || field.length > 0) {
          endField();
          yield { line: recordLine, fields };
        }
        fields = [];
        recordHasContent = false;
        line += 1;
        recordLine = line;
      } else {
        field += ch;
        recordHasContent = true;
      }
    }
  }
  if (quoteSeenInQuotes) inQuotes = false;
  if (recordHasContent || field.length > 0 || inQuotes) {
    endField();
    yield { line: recordLine, fields };
  }
}
