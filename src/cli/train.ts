import { invalidArgument } from "../core/errors.js";
import { ProgressBar } from "../core/progress.js";
import { runTrainerScript } from "./python.js";

export const TRAIN_HELP = `Usage: hashtag-rec train --data DIR --out DIR [--preset mini|small|base] [--export MODEL_DIR] [trainer options]

Trains the hashtag masked-LM (PyTorch, trainer/train.py) on a 'hashtag-rec prepare' directory and
shows its progress; with --export, writes a model directory (config.json, tokenizer.json,
hashtags.json, model.safetensors, onnx/) when training ends.

  --data DIR             prepared data (train.bin, val.bin, meta.json, tokenizer.json, hashtags.json)
  --out DIR              run directory (ckpt.pt, train_config.json)
  --export MODEL_DIR     export the trained model there (trainer/export.py)
  Trainer options, passed through: --preset, --max-steps, --batch-size, --learning-rate,
  --warmup-steps, --masking hashtag|plain, --hashtag-mask-prob, --eval-interval, --resume,
  --init-from HF_DIR (a Hugging Face BERT, or a model of ours: its shared hashtags keep their rows),
  --device auto|cpu|cuda, --threads N, --seed, … ('trainer/README.md')

Needs Python with PyTorch (Debian: apt-get install python3-torch python3-onnx libopenblas0-openmp).`;

function flagValue(argv: string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  if (at >= 0) return argv[at + 1];
  const inline = argv.find((a) => a.startsWith(`${flag}=`));
  return inline?.slice(flag.length + 1);
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
  const trainerArgs = argv.filter((arg, i) => !(arg === "--export" || arg.startsWith("--export=") || argv[i - 1] === "--export"));

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
  if (!exportDir) return 0;
  return runTrainerScript("export.py", ["--checkpoint", `${out}/ckpt.pt`, "--data", data, "--out", exportDir], (event) => {
    if (event.event === "error") process.stderr.write(`export: ${event.message}\n`);
  });
}
