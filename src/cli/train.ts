import { invalidArgument } from "../core/errors.js";
import { ProgressBar } from "../core/progress.js";
import { runTrainerScript } from "./python.js";

export const TRAIN_HELP = `Usage: hashtag-rec train --data DIR --out DIR [--preset mini|small|base] [--export MODEL_DIR] [trainer options]

Trains the hashtag masked-LM (PyTorch, trainer/train.py) on a 'hashtag-rec prepare' directory and
shows its progress; then trains the n-gram head beside it (trainer/ngram.py: word pieces and hashed
bigrams → hashtags, blended with the masked-LM at a weight chosen on val.bin); with --export, writes
a model directory (config.json, tokenizer.json, hashtags.json, model.safetensors, ngram.safetensors,
onnx/) whose recommender graphs hold both.

  --data DIR             prepared data (train.bin, val.bin, meta.json, tokenizer.json, hashtags.json)
  --out DIR              run directory (ckpt.pt, train_config.json, ngram.pt)
  --export MODEL_DIR     export the trained model there (trainer/export.py)
  --ngram-epochs N       n-gram head epochs, the best on val kept (default 3; 0 = no head); then the
                         head is trained again for those epochs on train + val rows (the newest)
  --no-ngram-refit       keep the head trained on train rows only (val stays held out)
  --ngram-prior-weight B weight of the recency prior, the newest rows' hashtag mix (0 to 2; default:
                         chosen on val; 0 = none)
  --ngram-buckets N      hashed bigram buckets (default 100000)
  --ngram-dim N          n-gram embedding size (default 128)
  Trainer options, passed through: --preset, --max-steps, --batch-size, --learning-rate,
  --warmup-steps, --masking hashtag|plain, --hashtag-mask-prob, --eval-interval, --resume,
  --init-from HF_DIR (a Hugging Face BERT, or a model of ours: its shared hashtags keep their rows),
  --device auto|cpu|cuda, --threads N, --seed, … ('trainer/README.md')

Needs Python with PyTorch (Debian: apt-get install python3-torch python3-onnx libopenblas0-openmp).`;

const NODE_FLAGS = ["--export", "--ngram-epochs", "--ngram-buckets", "--ngram-dim", "--ngram-prior-weight"];
const NO_REFIT = "--no-ngram-refit";

function flagValue(argv: string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  if (at >= 0) return argv[at + 1];
  const inline = argv.find((a) => a.startsWith(`${flag}=`));
  return inline?.slice(flag.length + 1);
}

/** argv without `flags` and their values (those this command handles itself). */
function withoutFlags(argv: string[], flags: string[]): string[] {
  const owned = (arg: string | undefined) => arg !== undefined && flags.some((f) => arg === f || arg.startsWith(`${f}=`));
  return argv.filter((arg, i) => !owned(arg) && !(flags.includes(argv[i - 1]!) && i > 0));
}

function countFlag(argv: string[], flag: string, fallback: number, min: number): number {
  const value = flagValue(argv, flag);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) throw invalidArgument(`train: ${flag} must be an integer >= ${min}, got '${value}'`);
  return parsed;
}

/** Runs trainer/ngram.py on the finished run; resolves with its exit code. */
async function trainNgramHead(data: string, out: string, argv: string[], epochs: number): Promise<number> {
  const args = ["--data", data, "--run", out, "--epochs", String(epochs), ...(argv.includes(NO_REFIT) ? ["--no-refit"] : [])];
  const passed = [["--ngram-buckets", "--buckets"], ["--ngram-dim", "--dim"], ["--ngram-prior-weight", "--prior-weight"], ["--threads", "--threads"], ["--seed", "--seed"]] as const;
  for (const [flag, own] of passed) {
    const value = flagValue(argv, flag);
    if (value !== undefined) args.push(own, value);
  }
  let bar: ProgressBar | undefined;
  return runTrainerScript("ngram.py", args, (event) => {
    if (event.event === "start") bar = new ProgressBar({ label: "n-gram head", total: epochs });
    else if (event.event === "epoch") {
      const val = event.val as { hit5: number } | null;
      bar?.update(Number(event.epoch), `loss ${Number(event.loss).toFixed(3)}${val ? ` · val hit@5 ${val.hit5.toFixed(3)}` : ""}`);
    } else if (event.event === "refit_epoch") {
      bar?.update(Number(event.epoch), `refit on train + val · loss ${Number(event.loss).toFixed(3)}`);
    } else if (event.event === "done") {
      bar?.finish();
      console.log(JSON.stringify({ ...event, event: "ngram" }));
    } else if (event.event === "warning") {
      process.stderr.write(`\nngram: warning: ${event.message}\n`);
    } else if (event.event === "error") {
      process.stderr.write(`\nngram: ${event.message}\n`);
    }
  });
}

/** `hashtag-rec train`: runs the trainer with a progress bar, then optionally exports. */
export async function runTrain(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(TRAIN_HELP);
    return 0;
  }
  const data = flagValue(argv, "--data");
  const out = flagValue(argv, "--out");
  const exportDir = flagValue(argv, "--export");
  if (!data) throw invalidArgument("train: --data DIR is required (see 'hashtag-rec train --help')");
  if (!out) throw invalidArgument("train: --out DIR is required (see 'hashtag-rec train --help')");
  const ngramEpochs = countFlag(argv, "--ngram-epochs", 3, 0);
  countFlag(argv, "--ngram-buckets", 1, 1);
  countFlag(argv, "--ngram-dim", 1, 1);
  const priorWeight = flagValue(argv, "--ngram-prior-weight");
  if (priorWeight !== undefined && !(/^\d+(\.\d+)?$/u.test(priorWeight) && Number(priorWeight) <= 2)) {
    throw invalidArgument(`train: --ngram-prior-weight must be a number from 0 to 2, got '${priorWeight}'`);
  }
  const trainerArgs = withoutFlags(argv.filter((arg) => arg !== NO_REFIT), NODE_FLAGS);

  let bar: ProgressBar | undefined;
  let last: Record<string, unknown> = {};
  const code = await runTrainerScript("train.py", trainerArgs, (event) => {
    if (event.event === "start") bar = new ProgressBar({ label: "train", total: Number(event.max_steps) || undefined });
    else if (event.event === "step") {
      bar?.update(Number(event.step), `loss ${Number(event.loss).toFixed(3)} · ${Number(event.examples_per_s).toFixed(0)} ex/s`);
    } else if (event.event === "eval") {
      process.stderr.write(
        `\nstep ${event.step}: val_loss ${Number(event.val_loss).toFixed(3)} · val hashtag acc@1 ${Number(event.val_hashtag_acc1).toFixed(3)} · acc@5 ${Number(event.val_hashtag_acc5).toFixed(3)}\n`,
      );
    } else if (event.event === "done") {
      last = event;
      bar?.finish();
    } else if (event.event === "error") {
      process.stderr.write(`\ntrainer: ${event.message}\n`);
    }
  });
  if (code !== 0) return code;
  console.log(JSON.stringify(last));
  if (ngramEpochs > 0) {
    const ngramCode = await trainNgramHead(data, out, argv, ngramEpochs);
    if (ngramCode !== 0) return ngramCode;
  }
  if (!exportDir) return 0;
  const ngram = ngramEpochs > 0 ? ["--ngram", `${out}/ngram.pt`] : [];
  return runTrainerScript("export.py", ["--checkpoint", `${out}/ckpt.pt`, "--data", data, "--out", exportDir, ...ngram], (event) => {
    if (event.event === "error") process.stderr.write(`export: ${event.message}\n`);
  });
}
