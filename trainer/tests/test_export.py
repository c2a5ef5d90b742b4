import json
import os
import tempfile
import unittest

import onnx
import torch

from trainer import export, train
from trainer.train import load_checkpoint_file
from trainer.hf_io import load_safetensors
from trainer.tests.helpers import HAS_ORT, TINY_TRAIN, ort_parity, make_data, run_inprocess

INT64, FLOAT = onnx.TensorProto.INT64, onnx.TensorProto.FLOAT


def io_spec(values):
    return [(v.name, v.type.tensor_type.elem_type, [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim])
            for v in values]


class ExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        t = cls.tmp.name
        cls.data, cls.run_dir, cls.model = (os.path.join(t, n) for n in ("data", "run", "model"))
        cls.meta = make_data(cls.data)
        code, lines = run_inprocess(train.main, ["--data", cls.data, "--out", cls.run_dir, *TINY_TRAIN, "--max-steps", "3",
                                                 "--eval-interval", "0"])
        assert code == 0, lines
        cls.parity = os.path.join(t, "parity.json")
        code, lines = run_inprocess(export.main, ["--checkpoint", os.path.join(cls.run_dir, "ckpt.pt"), "--data", cls.data,
                                                  "--out", cls.model, "--parity", cls.parity])
        assert code == 0, lines
        cls.ckpt = load_checkpoint_file(os.path.join(cls.run_dir, "ckpt.pt"))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, *p):
        return os.path.join(self.model, *p)

    def test_files_and_config(self):
        for f in ("config.json", "model.safetensors", "tokenizer.json", "hashtags.json", "train_config.json",
                  "onnx/model.onnx", "onnx/recommender.onnx", "onnx/recommender_int8.onnx"):
            self.assertTrue(os.path.isfile(self.path(f)), f)
        with open(self.path("config.json")) as f:
            cfg = json.load(f)
        self.assertEqual(cfg["model_type"], "bert")
        self.assertEqual(cfg["architectures"], ["BertForMaskedLM"])
        for k in ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                  "hidden_act", "max_position_embeddings", "type_vocab_size", "layer_norm_eps", "pad_token_id"):
            self.assertEqual(cfg[k], self.ckpt["model_config"][k], k)
        for k in ("hashtag_token_offset", "num_hashtags", "mask_token_id", "max_length"):
            self.assertEqual(cfg[k], self.meta[k], k)

    def test_safetensors_round_trip(self):
        st = load_safetensors(self.path("model.safetensors"))
        sd = self.ckpt["model"]
        self.assertEqual(set(st), set(sd) - {"cls.predictions.decoder.weight"})  # tied weight omitted, as HF does
        for k, v in st.items():
            self.assertTrue(torch.equal(v, sd[k]), k)

    def test_onnx_graphs(self):
        v, h, nh = self.meta["vocab_size"], self.ckpt["model_config"]["hidden_size"], self.meta["num_hashtags"]
        full = onnx.load(self.path("onnx", "model.onnx"))
        onnx.checker.check_model(full, full_check=True)
        seq = ["batch_size", "sequence_length"]
        self.assertEqual(io_spec(full.graph.input), [("input_ids", INT64, seq), ("attention_mask", INT64, seq),
                                                     ("token_type_ids", INT64, seq)])
        self.assertEqual(io_spec(full.graph.output), [("logits", FLOAT, seq + [v])])
        sizes = {}
        for name in ("recommender", "recommender_int8"):
            m = onnx.load(self.path("onnx", f"{name}.onnx"))
            onnx.checker.check_model(m, full_check=True)
            self.assertEqual(io_spec(m.graph.input), [("input_ids", INT64, seq), ("attention_mask", INT64, seq)])
            self.assertEqual(io_spec(m.graph.output), [("hashtag_logits", FLOAT, ["batch_size", nh]),
                                                       ("mask_hidden_state", FLOAT, ["batch_size", h]),
                                                       ("hashtag_probabilities", FLOAT, ["batch_size", nh])])
            sizes[name] = os.path.getsize(self.path("onnx", f"{name}.onnx"))
        q = onnx.load(self.path("onnx", "recommender_int8.onnx"))
        ops = {n.op_type for n in q.graph.node}
        self.assertTrue({"DynamicQuantizeLinear", "MatMulInteger"} <= ops)
        big_float = [i.name for i in q.graph.initializer if i.data_type == FLOAT and len(i.dims) == 2 and i.dims[0] * i.dims[1] >= 4096]
        self.assertEqual(big_float, [])
        self.assertGreater(sizes["recommender"] / sizes["recommender_int8"], 3.0)

    def test_recommender_matches_full_model(self):
        model, _ = export.load_checkpoint(os.path.join(self.run_dir, "ckpt.pt"))
        m = self.meta
        rec = export.Recommender(model, m["hashtag_token_offset"], m["num_hashtags"], m["mask_token_id"]).eval()
        ids = torch.tensor([[2, 10, 11, 4, 3, 0], [2, 4, 12, 4, 3, 0], [2, 13, 14, 15, 16, 3]])
        mask = (ids != 0).long()
        with torch.no_grad():
            logits, hidden, probabilities = rec(ids, mask)
            full = model(ids, mask)
            states = model.hidden_states(ids, mask)
        h0, pos = m["hashtag_token_offset"], [3, 1, 0]  # first [MASK]; position 0 when there is none
        for b, p in enumerate(pos):
            self.assertTrue(torch.allclose(logits[b], full[b, p, h0:], atol=1e-5))
            self.assertTrue(torch.allclose(hidden[b], states[b, p], atol=1e-6))
        self.assertTrue(torch.allclose(probabilities, torch.softmax(logits, dim=-1)))

    def test_parity_fixture(self):
        with open(self.parity) as f:
            fx = json.load(f)
        n = len(fx["input_ids"])
        self.assertGreaterEqual(n, 2)
        for row in fx["input_ids"]:
            self.assertEqual(row.count(self.meta["mask_token_id"]), 1)
        self.assertEqual(len(fx["hashtag_logits"]), n)
        self.assertEqual(len(fx["hashtag_logits"][0]), self.meta["num_hashtags"])
        self.assertEqual(len(fx["mask_hidden_state"][0]), self.ckpt["model_config"]["hidden_size"])
        self.assertEqual(len(fx["logits"]), self.meta["vocab_size"])

    @unittest.skipUnless(HAS_ORT, "node + onnxruntime-node not installed")
    def test_onnxruntime_parity(self):
        code, stderr, r, fx = ort_parity(self.model, self.parity)
        self.assertEqual(code, 0, stderr)
        self.assertLess(r["recommender"]["hashtag_logits_diff"], 1e-4)
        self.assertLess(r["recommender"]["mask_hidden_state_diff"], 1e-4)
        self.assertLess(r["recommender"]["hashtag_probabilities_excess"], 1e-6)
        self.assertLess(r["recommender_int8"]["hashtag_probabilities_excess"], 1e-6)
        self.assertLess(r["model"]["logits_diff"], 1e-4)
        self.assertEqual(r["recommender"]["top5"], fx["top5_hashtags"])
        self.assertEqual([sorted(t) for t in r["recommender_int8"]["top5"]], [sorted(t) for t in fx["top5_hashtags"]])


if __name__ == "__main__":
    unittest.main()
