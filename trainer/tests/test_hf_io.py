import json
import os
import struct
import tempfile
import unittest

import torch

from trainer import train
from trainer.train import load_checkpoint_file
from trainer.hf_io import load_safetensors, load_safetensors_metadata, save_safetensors
from trainer.model import BertConfig, BertForMaskedLM
from trainer.tests.helpers import events, make_data, run_inprocess

HF_CONFIG = dict(architectures=["BertForMaskedLM"], model_type="bert", vocab_size=100, hidden_size=32,
                 num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, hidden_act="gelu",
                 hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, max_position_embeddings=64,
                 type_vocab_size=2, layer_norm_eps=1e-12, pad_token_id=0, initializer_range=0.02)


class SafetensorsTest(unittest.TestCase):
    def test_round_trip(self):
        tensors = {"a.weight": torch.randn(3, 5), "b": torch.arange(7, dtype=torch.int64),
                   "c": torch.randn(4).to(torch.bfloat16), "d": torch.randint(-128, 127, (2, 2), dtype=torch.int8),
                   "e": torch.randn(2, 3).half(), "f": torch.tensor([True, False])}
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.safetensors")
            save_safetensors(tensors, path, metadata={"note": "x"})
            back = load_safetensors(path)
            self.assertEqual(set(back), set(tensors))
            for k, v in tensors.items():
                self.assertEqual(back[k].dtype, v.dtype, k)
                self.assertTrue(torch.equal(back[k], v), k)
            self.assertEqual(load_safetensors_metadata(path), {"format": "pt", "note": "x"})
            with open(path, "rb") as f:
                (n,) = struct.unpack("<Q", f.read(8))
                header = json.loads(f.read(n))
            self.assertEqual(n % 8, 0)
            self.assertEqual(header["a.weight"], {"dtype": "F32", "shape": [3, 5], "data_offsets": [0, 60]})
            self.assertEqual(os.path.getsize(path), 8 + n + sum(v["data_offsets"][1] - v["data_offsets"][0]
                                                                 for k, v in header.items() if k != "__metadata__"))


class InitFromTest(unittest.TestCase):
    """A fake HF checkpoint (old gamma/beta names, pooler, NSP head) loads via --init-from and grows."""

    def write_checkpoint(self, d, style):
        torch.manual_seed(3)
        ref = BertForMaskedLM(BertConfig.from_dict(HF_CONFIG))
        sd = {k: v.clone() for k, v in ref.state_dict().items()}
        sd = {k.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta"): v
              for k, v in sd.items()}
        sd["bert.pooler.dense.weight"], sd["bert.pooler.dense.bias"] = torch.randn(32, 32), torch.zeros(32)
        sd["cls.seq_relationship.weight"], sd["cls.seq_relationship.bias"] = torch.randn(2, 32), torch.zeros(2)
        sd["cls.predictions.decoder.bias"] = sd["cls.predictions.bias"]
        if style == "bertmodel":  # BertModel checkpoint: no `bert.` prefix and no MLM head
            sd = {k[len("bert."):]: v for k, v in sd.items() if k.startswith("bert.")}
        os.makedirs(d)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(HF_CONFIG, f)
        if style == "safetensors":
            del sd["cls.predictions.decoder.weight"]
            save_safetensors(sd, os.path.join(d, "model.safetensors"))
        else:
            torch.save(sd, os.path.join(d, "pytorch_model.bin"))
        return ref.state_dict()

    def check(self, style):
        with tempfile.TemporaryDirectory() as tmp:
            data, hf, out = (os.path.join(tmp, n) for n in ("data", "hf", "out"))
            make_data(data, vocab_size=120, num_hashtags=20)  # base ids 0..99 agree with the checkpoint's vocab
            ref = self.write_checkpoint(hf, style)
            code, lines = run_inprocess(train.main, ["--data", data, "--out", out, "--init-from", hf,
                                                     "--max-steps", "0", "--eval-interval", "0"])
            self.assertEqual(code, 0, lines)
            self.assertEqual(events(lines, "start")[0]["model_config"]["hidden_size"], 32)
            ckpt = load_checkpoint_file(os.path.join(out, "ckpt.pt"))
            sd = ckpt["model"]
            emb, old = sd["bert.embeddings.word_embeddings.weight"], ref["bert.embeddings.word_embeddings.weight"]
            self.assertEqual(tuple(emb.shape), (120, 32))
            self.assertTrue(torch.equal(emb[:100], old))
            new = emb[100:]
            self.assertLess(float((new - old.mean(0)).abs().max()), 0.05)  # mean + small noise
            self.assertGreater(float(new.std(0).mean()), 0)  # not identical rows
            self.assertTrue(torch.equal(sd["cls.predictions.decoder.weight"], emb))
            self.assertEqual(tuple(sd["cls.predictions.bias"].shape), (120,))
            key = "bert.encoder.layer.1.output.LayerNorm.weight"
            self.assertTrue(torch.equal(sd[key], ref[key]))
            if style != "bertmodel":
                k = "cls.predictions.transform.dense.weight"
                self.assertTrue(torch.equal(sd[k], ref[k]))
            with open(os.path.join(out, "train_config.json")) as f:
                tc = json.load(f)
            self.assertEqual(tc["init_from"]["new_rows"], 20)
            self.assertIsNone(tc["options"]["preset"])  # the checkpoint's sizes, not a preset's

    def test_carries_the_rows_of_shared_hashtags_by_key(self):
        """A model of ours (config.json with hashtag_token_offset, hashtags.json) lends the rows of
        the hashtags the new data still has; the rest start as new rows."""
        with tempfile.TemporaryDirectory() as tmp:
            data, hf, out = (os.path.join(tmp, n) for n in ("data", "hf", "out"))
            make_data(data, vocab_size=120, num_hashtags=20)  # data hashtags tag0..tag19 at rows 100..119
            ref = self.write_checkpoint(hf, "safetensors")
            with open(os.path.join(hf, "config.json")) as f:
                config = json.load(f)
            with open(os.path.join(hf, "config.json"), "w") as f:
                json.dump({**config, "hashtag_token_offset": 90, "num_hashtags": 10}, f)
            with open(os.path.join(hf, "hashtags.json"), "w") as f:  # rows 90, 91, 92
                json.dump([{"key": "tag7"}, {"key": "tag3"}, {"key": "gone"}] + [{"key": f"x{i}"} for i in range(7)], f)
            code, lines = run_inprocess(train.main, ["--data", data, "--out", out, "--init-from", hf,
                                                     "--max-steps", "0", "--eval-interval", "0"])
            self.assertEqual(code, 0, lines)
            sd = load_checkpoint_file(os.path.join(out, "ckpt.pt"))["model"]
            old_emb, old_bias = ref["bert.embeddings.word_embeddings.weight"], ref["cls.predictions.bias"]
            emb, bias = sd["bert.embeddings.word_embeddings.weight"], sd["cls.predictions.bias"]
            for new_row, old_row in ((107, 90), (103, 91)):
                self.assertTrue(torch.equal(emb[new_row], old_emb[old_row]), new_row)
                self.assertEqual(float(bias[new_row]), float(old_bias[old_row]))
            self.assertLess(float((emb[100] - old_emb.mean(0)).abs().max()), 0.05)  # tag0: new, mean + noise
            with open(os.path.join(out, "train_config.json")) as f:
                info = json.load(f)["init_from"]
            self.assertEqual((info["carried_hashtags"], info["new_rows"]), (2, 18))

    def test_hashtags_beyond_the_checkpoint_vocab_are_a_clear_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            data, hf, out = (os.path.join(tmp, n) for n in ("data", "hf", "out"))
            make_data(data, vocab_size=120, num_hashtags=20)
            self.write_checkpoint(hf, "safetensors")
            with open(os.path.join(hf, "config.json")) as f:
                config = json.load(f)
            with open(os.path.join(hf, "config.json"), "w") as f:
                json.dump({**config, "hashtag_token_offset": 95}, f)  # 95 + 10 rows > vocab_size 100
            with open(os.path.join(hf, "hashtags.json"), "w") as f:
                json.dump([{"key": f"tag{i}"} for i in range(10)], f)
            code, lines = run_inprocess(train.main, ["--data", data, "--out", out, "--init-from", hf,
                                                     "--max-steps", "0", "--eval-interval", "0"])
            self.assertEqual(code, 1)
            self.assertRegex(events(lines, "error")[0]["message"], r"hashtag_token_offset 95 \+ 10 hashtags in hashtags\.json exceed config\.json vocab_size 100")

    def test_pytorch_model_bin(self):
        self.check("bin")

    def test_safetensors(self):
        self.check("safetensors")

    def test_bertmodel_without_prefix(self):
        self.check("bertmodel")


if __name__ == "__main__":
    unittest.main()
