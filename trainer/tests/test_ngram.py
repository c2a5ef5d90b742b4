import json
import os
import shutil
import tempfile
import unittest

import numpy as np
import torch

from trainer import export, ngram, prior, train
from trainer.data import open_split
from trainer.hf_io import load_safetensors
from trainer.tests.helpers import HAS_ORT, TINY_TRAIN, ort_parity, events, make_data, run_inprocess

# make_data's ids: 0 PAD, 1 UNK, 2 CLS, 3 SEP, 4 MASK, 5..99 words, 100..119 hashtags
META = dict(pad_token_id=0, unk_token_id=1, cls_token_id=2, sep_token_id=3, mask_token_id=4,
            hashtag_token_offset=100, num_hashtags=20, max_length=8, vocab_size=120)


def bucket(a, b, buckets, h0=100):
    return h0 + ((a * h0 + b) * ngram.HASH_MUL + ngram.HASH_ADD) % ngram.HASH_MOD % buckets


class FeaturesTest(unittest.TestCase):
    def setUp(self):
        self.head = ngram.NgramHead(100, 20, [0, 2, 3, 4], buckets=50, dim=4)

    def test_word_pieces_and_adjacent_bigrams_only(self):
        ids = torch.tensor([[2, 10, 11, 4, 3, 0], [2, 10, 105, 12, 1, 3]])  # a hashtag token and [UNK] in row 1
        feats, weights = self.head.features(ids)
        self.assertEqual(feats.shape, (2, 11))
        self.assertEqual(weights[0].tolist(), [0, 1, 1, 0, 0, 0] + [0, 1, 0, 0, 0])
        self.assertEqual(feats[0, [1, 2]].tolist(), [10, 11])
        self.assertEqual(int(feats[0, 7]), bucket(10, 11, 50))
        # [UNK] is a word piece; a hashtag token is not a feature and breaks the bigram around it
        self.assertEqual(weights[1].tolist(), [0, 1, 0, 1, 1, 0] + [0, 0, 0, 1, 0])
        self.assertEqual(int(feats[1, 9]), bucket(12, 1, 50))
        self.assertTrue(((feats >= 0) & (feats < 150)).all())

    def test_mean_of_feature_embeddings(self):
        ids = torch.tensor([[2, 10, 11, 4, 3]])
        with torch.no_grad():
            e = self.head.embeddings.weight
            pooled = (e[10] + e[11] + e[bucket(10, 11, 50)]) / 3
            expected = self.head.classifier(pooled)
            self.assertTrue(torch.allclose(self.head(ids)[0], expected, atol=1e-6))
            self.assertTrue(torch.equal(self.head(torch.tensor([[2, 4, 3]])), self.head.classifier.bias[None]))  # no features


    def test_a_head_saved_with_a_nonzero_row_0_loads_with_the_same_outputs(self):
        # Heads trained before row 0 became the padding row: it was random, but only ever weighed 0.
        state = {k: v.clone() for k, v in self.head.state_dict().items()}
        state["embeddings.weight"][0] = 5.0
        loaded = ngram.NgramHead(100, 20, [0, 2, 3, 4], buckets=50, dim=4)
        loaded.load_state_dict(state)
        self.assertEqual(loaded.embeddings.weight[0].abs().sum().item(), 0.0)
        ids = torch.tensor([[2, 10, 11, 4, 3, 0], [2, 10, 105, 12, 1, 3]])
        with torch.no_grad():
            self.assertTrue(torch.allclose(loaded(ids), self.head(ids)))


class QueryRowsTest(unittest.TestCase):
    def test_rows_become_serving_queries_with_their_hashtags(self):
        rows = np.array([[2, 10, 105, 11, 107, 3, 0, 0],   # words and two hashtags
                         [2, 10, 11, 3, 0, 0, 0, 0],       # no hashtag: dropped
                         [2, 106, 3, 0, 0, 0, 0, 0]])      # no word: dropped
        q, labels = ngram.query_rows(rows, META)
        self.assertEqual(q.tolist(), [[2, 10, 11, 4, 3, 0, 0, 0]])
        self.assertEqual(labels, [[5, 7]])


class BlendTest(unittest.TestCase):
    def test_weight_follows_the_better_model(self):
        labels = [[i % 10] for i in range(40)]
        right = torch.full((40, 10), -5.0)
        for i, (t,) in enumerate(labels):
            right[i, t] = 5.0
        wrong = -right
        w, grid = ngram.choose_weight(right, wrong, labels)
        self.assertEqual(w, 1.0)
        self.assertEqual(grid[1.0]["hit5"], 1.0)
        w, grid = ngram.choose_weight(wrong, right, labels)
        self.assertEqual(grid[1.0]["hit5"], 0.0)
        self.assertEqual(grid[w]["hit5"], 1.0)
        self.assertLess(w, 0.5)  # the largest masked-LM share that still ranks every label first

    def test_blend_softmax_is_the_normalised_geometric_mean(self):
        a, b = torch.randn(3, 7), torch.randn(3, 7)
        geometric = torch.softmax(a, -1) ** 0.3 * torch.softmax(b, -1) ** 0.7
        self.assertTrue(torch.allclose(torch.softmax(ngram.blend_logits(a, b, 0.3), -1), geometric / geometric.sum(-1, keepdim=True)))
        self.assertTrue(torch.allclose(ngram.blend_logits(a, b, 1.0), a))


def write_topic_rows(data_dir, meta, seed=0):
    """Overwrite train.bin/val.bin with rows a bag of words can learn: topic t (0..19) has words
    5+4t..8+4t and the hashtag 100+t; each row holds 3 topic words, 2 shared noise words (85..99), the hashtag."""
    rng = np.random.default_rng(seed)
    for split in ("train", "val"):
        rows = np.zeros((meta["n_" + split], meta["max_length"]), np.uint16)
        for r in rows:
            t = rng.integers(20)
            toks = [*(5 + 4 * t + rng.integers(0, 4, 3)), *rng.integers(85, 100, 2), 100 + t]
            r[: len(toks) + 2] = [2, *rng.permutation(toks), 3]
        rows.tofile(os.path.join(data_dir, split + ".bin"))


# The prior's weight is forced, so the export and ONNX Runtime tests see a graph that adds one.
HEAD_ARGS = ["--epochs", "4", "--buckets", "500", "--dim", "16", "--batch-size", "32", "--threads", "2", "--prior-weight", "0.6"]


class PriorTest(unittest.TestCase):
    def test_log_ratio_of_recent_to_overall_shares(self):
        p = prior.recency_prior([[0], [0], [1]], [[0], [1], [1], [1], [2], [0], [0], [1]], 4)
        # recent: (2+1)/(3+4), (1+1)/7, 1/7, 1/7; overall (3, 4, 1, 0 uses): 4/12, 5/12, 2/12, 1/12
        expected = torch.log(torch.tensor([3 / 7, 2 / 7, 1 / 7, 1 / 7])) - torch.log(torch.tensor([4 / 12, 5 / 12, 2 / 12, 1 / 12]))
        self.assertTrue(torch.allclose(p, expected))

    def test_weight_chosen_on_validation_and_zero_without_evidence(self):
        labels = [[3], [3], [1]]
        logits = torch.tensor([[2.0, 1.0, 0.5, 0.0, -1, -1, -1]] * 3)  # hashtag 3 ranks 4th
        favours_3 = torch.tensor([0, 0, 0, 3.0, 0, 0, 0])
        weight, grid = prior.choose_prior_weight(logits, favours_3, labels, ngram.ranking_metrics)
        self.assertGreater(weight, 0)
        self.assertGreater(grid[weight]["mrr10"], grid[0.0]["mrr10"])
        weight, _ = prior.choose_prior_weight(logits, torch.zeros(7), labels, ngram.ranking_metrics)
        self.assertEqual(weight, 0.0)  # a flat prior changes nothing: the tie goes to no prior


class NgramCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        t = cls.tmp.name
        cls.data, cls.run_dir, cls.model = (os.path.join(t, n) for n in ("data", "run", "model"))
        cls.meta = make_data(cls.data, n_train=1024, n_val=128)
        write_topic_rows(cls.data, cls.meta)
        code, lines = run_inprocess(train.main, ["--data", cls.data, "--out", cls.run_dir, *TINY_TRAIN, "--max-steps", "3",
                                                 "--eval-interval", "0"])
        assert code == 0, lines
        cls.code, cls.lines = run_inprocess(ngram.main, ["--data", cls.data, "--run", cls.run_dir, *HEAD_ARGS])
        cls.saved = torch.load(os.path.join(cls.run_dir, "ngram.pt"), weights_only=False)
        cls.parity = os.path.join(t, "parity.json")
        code, lines = run_inprocess(export.main, ["--checkpoint", os.path.join(cls.run_dir, "ckpt.pt"), "--data", cls.data,
                                                  "--out", cls.model, "--parity", cls.parity,
                                                  "--ngram", os.path.join(cls.run_dir, "ngram.pt")])
        assert code == 0, lines

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_learns_the_synthetic_topics_and_keeps_the_best_epoch(self):
        self.assertEqual(self.code, 0, self.lines)
        epochs = events(self.lines, "epoch")
        self.assertEqual([e["epoch"] for e in epochs], [1, 2, 3, 4])
        self.assertLess(epochs[-1]["loss"], epochs[0]["loss"])
        best = max(epochs, key=lambda e: e["val"]["hit5"])
        self.assertEqual(self.saved["best_epoch"], best["epoch"])
        self.assertGreater(best["val"]["hit5"], 0.9)  # topic words name the hashtag; chance is 5/20
        done = events(self.lines, "done")[0]
        self.assertIn(done["blend_weight"], ngram.BLEND_GRID)
        self.assertEqual(self.saved["masked_lm_step"], 3)

    def test_refit_trains_the_chosen_epochs_again_on_training_and_validation_rows(self):
        refits = events(self.lines, "refit_epoch")
        self.assertEqual([e["epoch"] for e in refits], list(range(1, self.saved["best_epoch"] + 1)))
        start = events(self.lines, "start")[0]
        self.assertEqual({e["rows"] for e in refits}, {start["n_train"] + start["n_val"]})  # training + validation rows
        self.assertEqual({e["rows"] for e in events(self.lines, "epoch")}, {start["n_train"]})
        self.assertTrue(self.saved["refit"])
        with open(os.path.join(self.model, "config.json")) as f:
            self.assertTrue(json.load(f)["ngram_head"]["refit"])
        kept = os.path.join(self.tmp.name, "run-no-refit")
        os.makedirs(kept)
        os.symlink(os.path.join(self.run_dir, "ckpt.pt"), os.path.join(kept, "ckpt.pt"))
        code, lines = run_inprocess(ngram.main, ["--data", self.data, "--run", kept, *HEAD_ARGS, "--no-refit"])
        self.assertEqual(code, 0, lines)
        self.assertEqual(events(lines, "refit_epoch"), [])
        saved = torch.load(os.path.join(kept, "ngram.pt"), weights_only=False)
        self.assertFalse(saved["refit"])
        # The prior's recent window: the validation rows after a refit, else the training rows just before them.
        _, train_l = ngram.query_rows(open_split(self.data, self.meta, "train"), self.meta)
        _, val_l = ngram.query_rows(open_split(self.data, self.meta, "val"), self.meta)
        nh = self.meta["num_hashtags"]
        self.assertTrue(torch.allclose(self.saved["recency_prior"], prior.recency_prior(val_l, train_l + val_l, nh)))
        self.assertTrue(torch.allclose(saved["recency_prior"], prior.recency_prior(train_l[-len(val_l):], train_l, nh)))
        self.assertEqual((self.saved["prior_weight"], self.saved["prior_rows"]), (0.6, len(val_l)))
        self.assertEqual((saved["best_epoch"], saved["blend_weight"]), (self.saved["best_epoch"], self.saved["blend_weight"]))
        self.assertFalse(torch.equal(saved["state"]["classifier.weight"], self.saved["state"]["classifier.weight"]))

    def test_export_blends_the_head_into_the_recommender_graph(self):
        with open(os.path.join(self.model, "config.json")) as f:
            cfg = json.load(f)
        head_cfg = cfg["ngram_head"]
        self.assertEqual((head_cfg["buckets"], head_cfg["dim"], head_cfg["blend_weight"]), (500, 16, self.saved["blend_weight"]))
        st = load_safetensors(os.path.join(self.model, "ngram.safetensors"))
        self.assertEqual(set(st), {"embeddings.weight", "classifier.weight", "classifier.bias", "recency_prior"})
        model, _ = export.load_checkpoint(os.path.join(self.run_dir, "ckpt.pt"))
        head, w, saved = export.load_ngram(os.path.join(self.run_dir, "ngram.pt"), self.meta)
        weighted = 0.6 * saved["recency_prior"]
        self.assertGreater(weighted.abs().max().item(), 0.01)
        self.assertEqual(head_cfg["prior_weight"], 0.6)
        m = self.meta
        plain = export.Recommender(model, m["hashtag_token_offset"], m["num_hashtags"], m["mask_token_id"]).eval()
        both = export.Recommender(model, m["hashtag_token_offset"], m["num_hashtags"], m["mask_token_id"], head, w, weighted).eval()
        ids = torch.tensor([[2, 10, 11, 4, 3, 0], [2, 12, 13, 14, 4, 3]])
        mask = (ids != 0).long()
        with torch.no_grad():
            expected = ngram.blend_logits(plain(ids, mask)[0], head(ids), w) + weighted
            logits, _, probabilities = both(ids, mask)
        self.assertTrue(torch.allclose(logits, expected, atol=1e-6))
        self.assertTrue(torch.allclose(probabilities, torch.softmax(expected, -1), atol=1e-6))

    @unittest.skipUnless(HAS_ORT, "node + onnxruntime-node not installed")
    def test_onnxruntime_parity_with_the_head(self):
        code, stderr, r, fx = ort_parity(self.model, self.parity)
        self.assertEqual(code, 0, stderr)
        self.assertLess(r["recommender"]["hashtag_logits_diff"], 1e-4)
        self.assertEqual(r["recommender"]["top5"], fx["top5_hashtags"])
        self.assertEqual([sorted(t) for t in r["recommender_int8"]["top5"]], [sorted(t) for t in fx["top5_hashtags"]])

    def test_a_head_blended_with_another_step_is_refused(self):
        stale = dict(self.saved, masked_lm_step=99)
        path = os.path.join(self.tmp.name, "stale-ngram.pt")
        torch.save(stale, path)
        code, lines = run_inprocess(export.main, ["--checkpoint", os.path.join(self.run_dir, "ckpt.pt"), "--data", self.data,
                                                  "--out", os.path.join(self.tmp.name, "stale-model"), "--ngram", path])
        self.assertEqual(code, 1)
        self.assertRegex(events(lines, "error")[0]["message"], r"blended with the masked-LM at step 99, .* is at step 3")

    def test_no_prior_when_the_training_rows_are_out_of_time_order(self):
        data = os.path.join(self.tmp.name, "data-unordered")
        shutil.copytree(self.data, data)
        with open(os.path.join(data, "meta.json")) as f:
            meta = json.load(f)
        meta.setdefault("counts", {})["train_out_of_time_order"] = meta["n_train"] // 2
        with open(os.path.join(data, "meta.json"), "w") as f:
            json.dump(meta, f)
        run_dir = os.path.join(self.tmp.name, "run-unordered")
        os.makedirs(run_dir)
        os.symlink(os.path.join(self.run_dir, "ckpt.pt"), os.path.join(run_dir, "ckpt.pt"))
        args = [a for a in HEAD_ARGS if a not in ("--prior-weight", "0.6")]
        code, lines = run_inprocess(ngram.main, ["--data", data, "--run", run_dir, *args, "--epochs", "1"])
        self.assertEqual(code, 0, lines)
        self.assertTrue(any("out of time order: no recency prior" in e["message"] for e in events(lines, "warning")))
        self.assertEqual(events(lines, "done")[0]["prior_weight"], 0.0)

    def test_given_weights_off_the_grids_are_kept(self):
        given = os.path.join(self.tmp.name, "run-given")
        os.makedirs(given)
        os.symlink(os.path.join(self.run_dir, "ckpt.pt"), os.path.join(given, "ckpt.pt"))
        code, lines = run_inprocess(ngram.main, ["--data", self.data, "--run", given, *HEAD_ARGS, "--epochs", "1",
                                                 "--weight", "0.35", "--prior-weight", "0.7", "--no-refit"])
        self.assertEqual(code, 0, lines)
        done = events(lines, "done")[0]
        self.assertEqual((done["blend_weight"], done["prior_weight"], done["blend_val"], done["prior_val"]), (0.35, 0.7, None, None))

    def test_bad_options_and_a_missing_checkpoint(self):
        code, lines = run_inprocess(ngram.main, ["--data", self.data, "--run", self.run_dir, "--epochs", "0"])
        self.assertEqual(code, 2)
        self.assertIn("--epochs must be >= 1", events(lines, "error")[0]["message"])
        code, lines = run_inprocess(ngram.main, ["--data", self.data, "--run", self.run_dir, "--prior-weight", "-1"])
        self.assertEqual(code, 2)
        self.assertIn("--prior-weight must be in [0, 2]", events(lines, "error")[0]["message"])
        code, lines = run_inprocess(ngram.main, ["--data", self.data, "--run", os.path.join(self.tmp.name, "nowhere")])
        self.assertEqual(code, 1)
        self.assertRegex(events(lines, "error")[0]["message"], r"ckpt\.pt not found")


if __name__ == "__main__":
    unittest.main()
