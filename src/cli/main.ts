import { HashtagRecError } from "../core/errors.js";
import { runBlend } from "./blend.js";
import { runEval } from "./eval.js";
import { runIngest } from "./ingest.js";
import { runPrepare } from "./prepare.js";
import { runServe } from "./serve.js";
import { runSuggest } from "./suggest.js";
import { runTrain } from "./train.js";

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; summary: string }> = {
  serve: { run: runServe, summary: "serve the compose page and the HTTP API" },
  suggest: { run: runSuggest, summary: "suggest hashtags for a draft text" },
  ingest: { run: runIngest, summary: "add tweets to the trending store" },
  blend: { run: runBlend, summary: "show (or reset) the blend's weights as learned from the stream" },
  prepare: { run: runPrepare, summary: "clean, split and tokenize tweets into train.bin/val.bin for training" },
  train: { run: runTrain, summary: "train the hashtag masked-LM (PyTorch) on prepared data" },
  eval: { run: runEval, summary: "score baselines or a model on held-out tweets (fixed protocol)" },
};

const HELP = `Usage: hashtag-rec <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, { summary }]) => `  ${name.padEnd(10)} ${summary}`)
  .join("\n")}

Run 'hashtag-rec <command> --help' for a command's options.`;

/** Runs the CLI and returns its exit code; errors become one line on stderr and a code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    console.log(HELP);
    return command === undefined ? 2 : 0;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    console.error(`hashtag-rec: unknown command '${command}'; commands: ${Object.keys(COMMANDS).join(", ")}`);
    return 2;
  }
  try {
    return await entry.run(rest);
  } catch (error) {
    if (error instanceof HashtagRecError) {
      const message = error.message.startsWith(`${command}: `) ? error.message.slice(command.length + 2) : error.message;
      console.error(`hashtag-rec ${command}: ${message} [${error.code}]`);
      return error.exitCode;
    }
    console.error(`hashtag-rec ${command}: unexpected error:`, error);
    return 1;
  }
}
