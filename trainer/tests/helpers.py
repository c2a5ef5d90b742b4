"""Shared helpers for the trainer tests: tiny synthetic data and CLI runners."""
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENV = {**os.environ, "LD_LIBRARY_PATH": "/usr/lib/x86_64-linux-gnu/openblas-openmp", "OMP_WAIT_POLICY": "PASSIVE"}
TINY_TRAIN = ["--preset", "mini", "--batch-size", "16", "--warmup-steps", "2", "--threads", "2",
              "--learning-rate", "1e-3", "--eval-batches", "2", "--log-interval", "1"]


def make_data(path, **kw):
    from trainer.synthetic import write_data_dir
    args = dict(n_train=256, n_val=64, vocab_size=120, num_hashtags=20, max_length=32)
    args.update(kw)
    return write_data_dir(path, **args)


def run_inprocess(main, argv):
    """Call a CLI main(argv) in this process; returns (exit code, parsed stdout JSON lines)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


def run_script(script, argv, env=None, timeout=120):
    """Run trainer/<script> in a subprocess; returns (returncode, stdout lines, stderr text)."""
    p = subprocess.run([sys.executable, os.path.join(ROOT, "trainer", script), *argv], cwd=ROOT,
                       env={**ENV, **(env or {})}, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout.splitlines(), p.stderr


def events(lines, kind):
    return [e for e in lines if e.get("event") == kind]


HAS_ORT = bool(shutil.which("node")) and os.path.isdir(os.path.join(ROOT, "node_modules", "onnxruntime-node"))


def ort_parity(model_dir, parity_path):
    """Run ort_parity.mjs (onnxruntime-node) on an exported model and its parity fixture; returns
    (returncode, stderr, the script's JSON result or None, the fixture)."""
    p = subprocess.run(["node", os.path.join(ROOT, "trainer", "tests", "ort_parity.mjs"), ROOT, model_dir, parity_path],
                       capture_output=True, text=True, timeout=60)
    with open(parity_path) as f:
        fx = json.load(f)
    return p.returncode, p.stderr, json.loads(p.stdout) if p.returncode == 0 else None, fx
