"""Train the hashtag masked-LM on a `hashtag-rec prepare` data directory.

  /usr/bin/python3 trainer/train.py --data DATA --out runs/mini --preset mini --max-steps 5000
  torchrun --nproc_per_node 2 trainer/train.py --data DATA --out runs/mini      # data-parallel

stdout carries one JSON object per line (events start/step/eval/checkpoint/done/error); human
text goes to stderr. With --resume, options saved in OUT/ckpt.pt are the defaults and only the
options given on the command line override them.
"""
import argparse
import contextlib
import json
import math
import os
import sys
import time

if __package__ in (None, ""):  # run as a script: make `import trainer.x` work from anywhere
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Idle OpenMP workers sleep instead of spinning; spinning threads starve the BLAS threads when cores are
# shared (measured here: 2 threads took 6.5 s/step spinning vs 2.1 s passive). Must be set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch

from trainer import hf_io
from trainer.data import DataError, TrainBatches, derive_seed, load_meta, load_rows, open_split
from trainer.evaluate import evaluate, masked_val
from trainer.masking import TokenSpec, mask_tokens, to_query_rows
from trainer.model import PRESETS, BertConfig, BertForMaskedLM

DEFAULTS = dict(
    data=None, out=None, preset="mini", init_from=None, dropout=None,
    max_steps=5000, decay_steps=None, batch_size=64, learning_rate=5e-4, weight_decay=0.01,
    warmup_steps=500, lr_schedule="linear", min_lr_ratio=0.0, adam_beta1=0.9, adam_beta2=0.999, adam_eps=1e-6,
    grad_clip=1.0, seed=1337, masking="hashtag", mlm_prob=0.15, hashtag_mask_prob=0.9, query_style_prob=0.0,
    eval_interval=500, eval_batches=20, log_interval=10, checkpoint_interval=1000,
    device="auto", precision="auto", threads=2,
)


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)

    def print_help(self, file=None):
        super().print_help(file or sys.stderr)


def build_parser():
    p = Parser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter, argument_default=argparse.SUPPRESS)
    a = p.add_argument
    a("--data", help="data directory written by `hashtag-rec prepare`")
    a("--out", required=True, help="output directory (ckpt.pt, train_config.json)")
    a("--preset", choices=sorted(PRESETS), help="model size (default mini); ignored with --init-from/--resume")
    a("--init-from", help="Hugging Face BERT directory to start from (config.json + weights)")
    a("--dropout", type=float, help="override hidden and attention dropout (default: config's 0.1)")
    a("--max-steps", type=int, help="total optimizer steps (default 5000)")
    a("--decay-steps", type=int, help="length of the LR schedule (default: --max-steps)")
    a("--batch-size", type=int, help="rows per step per process (default 64)")
    a("--learning-rate", type=float, help="peak AdamW learning rate (default 5e-4)")
    a("--weight-decay", type=float, help="AdamW weight decay, not applied to biases/LayerNorm (default 0.01)")
    a("--warmup-steps", type=int, help="linear warm-up steps (default 500)")
    a("--lr-schedule", choices=["linear", "cosine", "constant"], help="decay after warm-up (default linear)")
    a("--min-lr-ratio", type=float, help="final LR as a fraction of the peak (default 0)")
    a("--adam-beta1", type=float, help="default 0.9")
    a("--adam-beta2", type=float, help="default 0.999")
    a("--adam-eps", type=float, help="default 1e-6")
    a("--grad-clip", type=float, help="max gradient norm, 0 = off (default 1.0)")
    a("--seed", type=int, help="seed for init, data order, masking and dropout (default 1337)")
    a("--masking", choices=["hashtag", "plain"], help="masking scheme (default hashtag)")
    a("--mlm-prob", type=float, help="masking probability of ordinary tokens (default 0.15)")
    a("--hashtag-mask-prob", type=float, help="masking probability of hashtag tokens (default 0.9)")
    a("--query-style-prob", type=float, help="share of rows with hashtags rewritten as evaluation asks about a post: "
      "hashtags removed, one [MASK] at the end labelled with one of them (default 0; hashtag masking only)")
    a("--eval-interval", type=int, help="evaluate every N steps and at the end, 0 = never (default 500)")
    a("--eval-batches", type=int, help="validation batches per evaluation, 0 = all (default 20)")
    a("--log-interval", type=int, help="emit a step event every N steps (default 10)")
    a("--checkpoint-interval", type=int, help="save OUT/ckpt.pt every N steps and at the end (default 1000)")
    a("--resume", action="store_true", help="continue from OUT/ckpt.pt")
    a("--device", choices=["auto", "cpu", "cuda"], help="default auto (cuda if available)")
    a("--precision", choices=["auto", "fp32", "bf16"], help="auto = bf16 autocast on CUDA, fp32 on CPU")
    a("--threads", type=int, help="torch CPU threads per process (default 2)")
    return p


def check_options(o):
    for k in ("max_steps", "warmup_steps", "eval_interval", "eval_batches", "checkpoint_interval"):
        if o[k] < 0:
            raise UsageError(f"--{k.replace('_', '-')} must be >= 0")
    for k in ("batch_size", "log_interval", "threads"):
        if o[k] < 1:
            raise UsageError(f"--{k.replace('_', '-')} must be >= 1")
    for k in ("mlm_prob", "hashtag_mask_prob", "min_lr_ratio", "query_style_prob"):
        if not 0.0 <= o[k] <= 1.0:
            raise UsageError(f"--{k.replace('_', '-')} must be in [0, 1]")
    if o["learning_rate"] <= 0:
        raise UsageError("--learning-rate must be > 0")
    if o["data"] is None:
        raise UsageError("--data is required")


class Log:
    def __init__(self, rank):
        self.on = rank == 0

    def event(self, **kv):
        if self.on:
            print(json.dumps(kv), flush=True)

    def info(self, msg):
        if self.on:
            print(msg, file=sys.stderr, flush=True)


def lr_factor(step, o):
    if step < o["warmup_steps"]:
        return (step + 1) / o["warmup_steps"]
    if o["lr_schedule"] == "constant":
        return 1.0
    total = o["decay_steps"] or o["max_steps"]
    t = min(1.0, (step - o["warmup_steps"]) / max(1, total - o["warmup_steps"]))
    m = o["min_lr_ratio"]
    return m + (1 - m) * (0.5 * (1 + math.cos(math.pi * t)) if o["lr_schedule"] == "cosine" else 1 - t)


def make_optimizer(model, o):
    decay, no_decay = [], []
    for name, p in model.named_parameters():  # the tied decoder weight appears once
        (no_decay if name.endswith("bias") or "LayerNorm" in name else decay).append(p)
    groups = [{"params": decay, "weight_decay": o["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=o["learning_rate"], betas=(o["adam_beta1"], o["adam_beta2"]), eps=o["adam_eps"])


def setup(o):
    """Returns (rank, world_size, device, is_distributed)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    want_cuda = o["device"] == "cuda" or (o["device"] == "auto" and torch.cuda.is_available())
    if want_cuda and not torch.cuda.is_available():
        raise UsageError("--device cuda requested but CUDA is not available")
    torch.set_num_threads(o["threads"])
    if world <= 1:
        return 0, 1, torch.device("cuda" if want_cuda else "cpu"), False
    rank, local = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device("cuda", local) if want_cuda else torch.device("cpu")
    if want_cuda:
        torch.cuda.set_device(device)
    torch.distributed.init_process_group("nccl" if want_cuda else "gloo")
    return rank, world, device, True


def save_checkpoint(path, model, opt, sched, step, o, cfg, meta, device):
    rng = {"torch": torch.get_rng_state(), "numpy": np.random.get_state(),
           "cuda": torch.cuda.get_rng_state_all() if device.type == "cuda" else None}
    ckpt = dict(format="hashtag-rec-trainer/v1", model=model.state_dict(), optimizer=opt.state_dict(),
                scheduler=sched.state_dict(), step=step, options=o, model_config=cfg.to_dict(), data_meta=meta, rng=rng)
    torch.save(ckpt, path + ".tmp")
    os.replace(path + ".tmp", path)


def load_checkpoint_file(path):
    """Our own ckpt.pt (it holds numpy RNG state, so not weights_only; PyTorch >= 2.6 defaults to True)."""
    return torch.load(path, map_location="cpu", weights_only=False)


def load_checkpoint(path):
    """(BertForMaskedLM in eval mode, the checkpoint dict) from a ckpt.pt."""
    ckpt = load_checkpoint_file(path)
    model = BertForMaskedLM(BertConfig.from_dict(ckpt["model_config"]))
    model.load_state_dict(ckpt["model"])
    return model.eval(), ckpt


def build_model(o, meta, ckpt, log):
    """Model config + model: from the checkpoint (resume), a HF directory (--init-from) or a preset."""
    info = None
    if ckpt is not None:
        cfg = BertConfig.from_dict(ckpt["model_config"])
    elif o["init_from"]:
        # The data must have been prepared with this checkpoint's tokenizer so that base token ids agree;
        # hashtag rows are new, except those of hashtags an exported model of ours shares with the data.
        cfg, sd = hf_io.read_hf_checkpoint(o["init_from"])
        if cfg.max_position_embeddings < meta["max_length"]:
            raise DataError(f"checkpoint max_position_embeddings {cfg.max_position_embeddings} < max_length {meta['max_length']}")
        carried = hf_io.carried_hashtag_rows(o["init_from"], o["data"], meta["hashtag_token_offset"])
        info = hf_io.adapt_vocab(sd, meta["vocab_size"], meta["hashtag_token_offset"], seed=o["seed"], carried=carried)
    else:
        cfg = BertConfig(**PRESETS[o["preset"]], max_position_embeddings=max(512, meta["max_length"]))
    cfg.vocab_size, cfg.pad_token_id = meta["vocab_size"], meta["pad_token_id"]
    if o["dropout"] is not None:
        cfg.hidden_dropout_prob = cfg.attention_probs_dropout_prob = o["dropout"]
    torch.manual_seed(o["seed"])
    model = BertForMaskedLM(cfg)
    if ckpt is not None:
        model.load_state_dict(ckpt["model"])
    elif o["init_from"]:
        missing, unexpected = model.load_state_dict(sd, strict=False)
        info.update(missing=missing, unexpected=unexpected)
        log.info(f"init from {o['init_from']}: {info}")
    return cfg, model, info


def run(argv, log):
    explicit = vars(build_parser().parse_args(argv))
    ckpt_path = os.path.join(explicit["out"], "ckpt.pt")
    ckpt = None
    if explicit.pop("resume", False):
        if not os.path.isfile(ckpt_path):
            raise UsageError(f"--resume: {ckpt_path} not found")
        ckpt = load_checkpoint_file(ckpt_path)
    o = {**DEFAULTS, **(ckpt["options"] if ckpt else {}), **explicit}
    check_options(o)
    o["data"], o["out"] = os.path.abspath(o["data"]), os.path.abspath(o["out"])
    if o["init_from"]:
        o["init_from"] = os.path.abspath(o["init_from"])
        if ckpt is None:
            o["preset"] = None  # the architecture is the checkpoint's (model_config), as recorded
    meta = load_meta(o["data"])
    if ckpt and ckpt["data_meta"]["vocab_size"] != meta["vocab_size"]:
        raise DataError(f"checkpoint vocab_size {ckpt['data_meta']['vocab_size']} != data vocab_size {meta['vocab_size']}")
    train, val = open_split(o["data"], meta, "train"), open_split(o["data"], meta, "val")
    spec = TokenSpec.from_meta(meta)

    rank, world, device, distributed = setup(o)
    log.on = rank == 0
    batches = TrainBatches(train, o["batch_size"], o["seed"], rank, world)
    cfg, model, init_info = build_model(o, meta, ckpt, log)
    model.set_sdpa(True)  # PyTorch 2.x fused attention; no-op on 1.13
    model.to(device)
    opt = make_optimizer(model, o)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, o))
    start = 0
    if ckpt:
        opt.load_state_dict(ckpt["optimizer"])
        sched.load_state_dict(ckpt["scheduler"])
        start = ckpt["step"]
        torch.set_rng_state(ckpt["rng"]["torch"])
        # options given now (e.g. a longer --max-steps or a new --learning-rate) rule the rest of the schedule
        sched.base_lrs = [o["learning_rate"]] * len(opt.param_groups)
        for g in opt.param_groups:
            g["lr"] = o["learning_rate"] * lr_factor(start, o)
    bf16 = o["precision"] == "bf16" or (o["precision"] == "auto" and device.type == "cuda" and torch.cuda.is_bf16_supported())
    autocast = (lambda: torch.autocast(device_type=device.type, dtype=torch.bfloat16)) if bf16 else contextlib.nullcontext
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
    ddp = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None) if distributed else model

    os.makedirs(o["out"], exist_ok=True)
    n_params = sum(p.numel() for p in model.parameters())
    resolved = dict(options=o, model_config=cfg.to_dict(), data_meta=meta, world_size=world, device=str(device),
                    precision="bf16" if bf16 else "fp32", n_params=n_params, torch_version=torch.__version__, init_from=init_info)
    if rank == 0:
        with open(os.path.join(o["out"], "train_config.json"), "w") as f:
            json.dump(resolved, f, indent=2, default=str)
    log.event(event="start", step=start, max_steps=o["max_steps"], resumed=ckpt is not None, n_params=n_params,
              world_size=world, device=str(device), precision=resolved["precision"], batch_size=o["batch_size"],
              n_train=meta["n_train"], n_val=meta["n_val"], model_config=cfg.to_dict())
    log.info(f"training {n_params / 1e6:.1f}M params on {device} x{world}, steps {start}..{o['max_steps']}")

    t0 = time.perf_counter()
    train_time, window_loss, window_n, window_t, paused = 0.0, torch.zeros((), device=device), 0, time.perf_counter(), 0.0
    first_loss = final_loss = val_x = val_labels = last_saved = None
    step = start
    model.train()
    for step in range(start, o["max_steps"]):
        torch.manual_seed(derive_seed(o["seed"], step, rank, 0))  # dropout: a function of the step => exact resume
        ids, attn = load_rows(batches(step), meta)
        g = torch.Generator().manual_seed(derive_seed(o["seed"], step, rank, 1))
        x, labels = mask_tokens(ids, spec, g, o["masking"], o["mlm_prob"], o["hashtag_mask_prob"])
        if o["masking"] == "hashtag":
            x, labels = to_query_rows(ids, x, labels, spec, g, o.get("query_style_prob", 0.0))
        with autocast():
            loss, _ = ddp(x.to(device, non_blocking=True), attn.to(device, non_blocking=True), labels=labels.to(device, non_blocking=True))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if o["grad_clip"] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), o["grad_clip"])
        opt.step()
        sched.step()
        window_loss += loss.detach().float()
        window_n += 1
        done = step + 1
        if done % o["log_interval"] == 0 or done == o["max_steps"] or first_loss is None:
            if distributed:
                torch.distributed.all_reduce(window_loss)
                window_loss /= world
            mean_loss, now = window_loss.item() / window_n, time.perf_counter()
            dt = now - window_t - paused  # eval and checkpoint time excluded
            train_time += dt
            first_loss = mean_loss if first_loss is None else first_loss
            final_loss = mean_loss
            log.event(event="step", step=done, loss=round(mean_loss, 5), lr=o["learning_rate"] * lr_factor(step, o),
                      examples_per_s=round(window_n * o["batch_size"] * world / dt, 2), elapsed_s=round(now - t0, 3))
            window_loss.zero_()
            window_n, window_t, paused = 0, now, 0.0
        t_pause = time.perf_counter()
        if rank == 0 and o["eval_interval"] and (done % o["eval_interval"] == 0 or done == o["max_steps"]) and len(val):
            if val_x is None:
                val_x, val_labels = masked_val(val, meta, spec, o)
            log.event(event="eval", step=done, **evaluate(model, val_x, val_labels, meta, spec, o, device, autocast))
        if rank == 0 and (done == o["max_steps"] or (o["checkpoint_interval"] and done % o["checkpoint_interval"] == 0)):
            save_checkpoint(ckpt_path, model, opt, sched, done, o, cfg, meta, device)
            log.event(event="checkpoint", step=done, path=ckpt_path)
            last_saved = done
        paused += time.perf_counter() - t_pause
    if rank == 0 and ckpt is None and last_saved is None:  # --max-steps 0: save the initial model
        save_checkpoint(ckpt_path, model, opt, sched, start, o, cfg, meta, device)
        log.event(event="checkpoint", step=start, path=ckpt_path)
    steps_run = max(o["max_steps"] - start, 0)
    log.event(event="done", steps=max(o["max_steps"], start), final_loss=final_loss, first_loss=first_loss,
              elapsed_s=round(time.perf_counter() - t0, 3),
              examples_per_s=round(steps_run * o["batch_size"] * world / train_time, 2) if train_time else None)
    if distributed:
        torch.distributed.destroy_process_group()


def main(argv=None):
    log = Log(int(os.environ.get("RANK", "0")))
    try:
        run(argv, log)
        return 0
    except (UsageError, DataError, FileNotFoundError, ValueError) as e:
        message = f"{'usage' if isinstance(e, UsageError) else 'error'}: {e}"
        code = 2 if isinstance(e, UsageError) else 1
    if log.on:
        print(json.dumps({"event": "error", "message": message}), flush=True)
    print(message, file=sys.stderr, flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
