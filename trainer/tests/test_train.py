import json
import os
import socket
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import torch

from trainer import train
from trainer.train import load_checkpoint_file
from trainer.data import TrainBatches
from trainer.tests.helpers import ENV, ROOT, TINY_TRAIN, events, make_data, run_inprocess, run_script


class TrainTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.data = os.path.join(cls.tmp.name, "data")
        make_data(cls.data)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def train(self, out, *extra):
        code, lines = run_inprocess(train.main, ["--data", self.data, "--out", out, *TINY_TRAIN, *extra])
        self.assertEqual(code, 0, lines)
        return lines

    def test_loss_goes_down_and_progress_format(self):
        out = os.path.join(self.tmp.name, "down")
        lines = self.train(out, "--max-steps", "30", "--eval-interval", "15", "--log-interval", "5")
        self.assertEqual([e["event"] for e in lines][0], "start")
        self.assertEqual(lines[-1]["event"], "done")
        steps, evals, done = events(lines, "step"), events(lines, "eval"), lines[-1]
        self.assertEqual([e["step"] for e in steps], [1, 5, 10, 15, 20, 25, 30])
        for e in steps:
            self.assertTrue({"step", "loss", "lr", "examples_per_s", "elapsed_s"} <= set(e))
        self.assertEqual([e["step"] for e in evals], [15, 30])
        for e in evals:
            self.assertTrue({"val_loss", "val_hashtag_acc1", "val_hashtag_acc5"} <= set(e))
            self.assertLessEqual(e["val_hashtag_acc1"], e["val_hashtag_acc5"])
        self.assertEqual(done["steps"], 30)
        self.assertLess(done["final_loss"], done["first_loss"] - 0.2)
        self.assertLess(evals[1]["val_loss"], evals[0]["val_loss"])
        with open(os.path.join(out, "train_config.json")) as f:
            tc = json.load(f)
        self.assertEqual(tc["options"]["batch_size"], 16)
        self.assertEqual(tc["options"]["masking"], "hashtag")
        self.assertEqual(tc["model_config"]["hidden_size"], 256)
        ckpt = load_checkpoint_file(os.path.join(out, "ckpt.pt"))
        self.assertTrue({"model", "optimizer", "scheduler", "step", "rng", "options", "model_config"} <= set(ckpt))
        self.assertEqual(ckpt["step"], 30)

    def test_resume_reproduces(self):
        a, b = os.path.join(self.tmp.name, "a"), os.path.join(self.tmp.name, "b")
        common = ["--eval-interval", "0", "--masking", "plain", "--lr-schedule", "cosine"]
        self.train(a, "--max-steps", "6", *common)
        self.train(b, "--max-steps", "3", "--decay-steps", "6", *common)
        code, lines = run_inprocess(train.main, ["--out", b, "--resume", "--max-steps", "6"])
        self.assertEqual(code, 0, lines)
        self.assertEqual(lines[0]["step"], 3)
        self.assertTrue(lines[0]["resumed"])
        sa, sb = load_checkpoint_file(os.path.join(a, "ckpt.pt")), load_checkpoint_file(os.path.join(b, "ckpt.pt"))
        self.assertEqual(sb["step"], 6)
        self.assertEqual(sb["options"]["masking"], "plain")  # saved options are the defaults on resume
        for k, v in sa["model"].items():
            self.assertTrue(torch.equal(v, sb["model"][k]), k)

    def test_batches_are_disjoint_across_ranks(self):
        data = np.zeros((100, 4))
        ranks = [TrainBatches(data, 8, seed=1, rank=r, world_size=3) for r in range(3)]
        for step in range(8):  # 4 steps per epoch
            rows = [set(b.rows(step).tolist()) for b in ranks]
            self.assertTrue(all(len(r) == 8 for r in rows))
            self.assertEqual(len(rows[0] | rows[1] | rows[2]), 24)
        epoch0 = set().union(*(set(b.rows(s).tolist()) for b in ranks for s in range(4)))
        self.assertEqual(len(epoch0), 96)

    def test_errors(self):
        out = os.path.join(self.tmp.name, "err")
        bad = os.path.join(self.tmp.name, "bad")
        make_data(bad)
        with open(os.path.join(bad, "meta.json")) as f:
            meta = json.load(f)
        meta["dtype"] = "float32"
        with open(os.path.join(bad, "meta.json"), "w") as f:
            json.dump(meta, f)
        cases = [(["--data", os.path.join(self.tmp.name, "nope"), "--out", out], "meta.json", 1),
                 (["--data", bad, "--out", out], "dtype", 1),
                 (["--data", self.data, "--out", out, "--batch-size", "0"], "--batch-size", 2),
                 (["--data", self.data, "--out", out, "--masking", "bogus"], "masking", 2),
                 (["--data", self.data, "--out", out, "--resume"], "ckpt.pt", 2)]
        for argv, needle, rc in cases:
            code, lines = run_inprocess(train.main, argv)
            self.assertEqual(code, rc, argv)
            self.assertEqual(len(lines), 1)
            self.assertEqual(lines[0]["event"], "error")
            self.assertIn(needle, lines[0]["message"])
        code, stdout, stderr = run_script("train.py", cases[0][0])  # as a real process
        self.assertEqual(code, 1)
        self.assertEqual(json.loads(stdout[0])["event"], "error")
        self.assertEqual(len(stderr.strip().splitlines()), 1)
        self.assertIn("meta.json", stderr)

    def test_distributed_two_ranks(self):
        """Two gloo ranks started the way torchrun starts them (env://)."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        out = os.path.join(self.tmp.name, "ddp")
        argv = [sys.executable, os.path.join(ROOT, "trainer", "train.py"), "--data", self.data, "--out", out,
                *TINY_TRAIN, "--threads", "1", "--batch-size", "8", "--max-steps", "3", "--eval-interval", "3"]
        procs = [subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env={**ENV, "RANK": str(r), "LOCAL_RANK": str(r), "WORLD_SIZE": "2",
                                       "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port)}) for r in range(2)]
        outs = [p.communicate(timeout=120) for p in procs]
        self.assertEqual([p.returncode for p in procs], [0, 0], outs[0][1][-2000:] + outs[1][1][-2000:])
        lines = [json.loads(line) for line in outs[0][0].splitlines()]
        self.assertEqual(lines[0]["world_size"], 2)
        self.assertEqual(lines[-1]["event"], "done")
        self.assertEqual(outs[1][0], "")  # only rank 0 talks
        self.assertEqual(load_checkpoint_file(os.path.join(out, "ckpt.pt"))["step"], 3)


if __name__ == "__main__":
    unittest.main()
