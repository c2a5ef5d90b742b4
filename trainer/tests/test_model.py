import unittest

import torch

from trainer.hf_io import map_state_dict
from trainer.model import PRESETS, BertConfig, BertForMaskedLM

TINY = BertConfig(vocab_size=50, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                  max_position_embeddings=40)


def hf_names(n_layers):
    """BertForMaskedLM.state_dict() keys in transformers (minus the tied decoder bias)."""
    names = ["bert.embeddings.word_embeddings.weight", "bert.embeddings.position_embeddings.weight",
             "bert.embeddings.token_type_embeddings.weight", "bert.embeddings.LayerNorm.weight",
             "bert.embeddings.LayerNorm.bias", "cls.predictions.bias", "cls.predictions.transform.dense.weight",
             "cls.predictions.transform.dense.bias", "cls.predictions.transform.LayerNorm.weight",
             "cls.predictions.transform.LayerNorm.bias", "cls.predictions.decoder.weight"]
    for i in range(n_layers):
        for m in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                  "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"):
            names += [f"bert.encoder.layer.{i}.{m}.weight", f"bert.encoder.layer.{i}.{m}.bias"]
    return set(names)


class ModelTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.model = BertForMaskedLM(TINY).eval()
        self.ids = torch.randint(5, 50, (3, 12))
        self.mask = torch.ones_like(self.ids)

    def test_hf_parameter_names(self):
        self.assertEqual(set(self.model.state_dict()), hf_names(2))
        sd = self.model.state_dict()
        self.assertEqual(tuple(sd["bert.encoder.layer.0.intermediate.dense.weight"].shape), (64, 32))
        self.assertEqual(tuple(sd["cls.predictions.decoder.weight"].shape), (50, 32))

    def test_presets(self):
        self.assertEqual(PRESETS["mini"], dict(num_hidden_layers=4, hidden_size=256, num_attention_heads=4, intermediate_size=1024))
        self.assertEqual(PRESETS["base"]["intermediate_size"], 3072)
        self.assertEqual(BertConfig.from_dict({"hidden_size": 8, "model_type": "bert"}).hidden_size, 8)

    def test_tied_embeddings(self):
        emb = self.model.bert.embeddings.word_embeddings.weight
        self.assertIs(self.model.cls.predictions.decoder.weight, emb)
        self.assertEqual(sum(1 for _ in self.model.parameters()), len(hf_names(2)) - 1)

    def test_masked_positions_match_full_logits(self):
        full = self.model(self.ids, self.mask)
        self.assertEqual(tuple(full.shape), (3, 12, 50))
        labels = torch.full_like(self.ids, -100)
        labels[0, 3], labels[2, 7] = 11, 12
        loss, logits = self.model(self.ids, self.mask, labels=labels)
        sel = labels != -100
        self.assertTrue(torch.allclose(logits, full[sel], atol=1e-5))
        ref = torch.nn.functional.cross_entropy(full[sel], labels[sel])
        self.assertAlmostEqual(loss.item(), ref.item(), places=5)
        self.assertTrue(torch.allclose(self.model(self.ids, self.mask, masked_positions=sel), full[sel], atol=1e-5))

    def test_padding_does_not_change_real_tokens(self):
        padded = torch.cat([self.ids, torch.zeros(3, 5, dtype=torch.long)], 1)
        pmask = torch.cat([self.mask, torch.zeros(3, 5, dtype=torch.long)], 1)
        h = self.model.hidden_states(self.ids, self.mask)
        hp = self.model.hidden_states(padded, pmask)
        self.assertEqual(tuple(h.shape), (3, 12, 32))
        self.assertTrue(torch.allclose(h, hp[:, :12], atol=1e-5))

    def test_empty_mask_loss_is_zero_and_reaches_head(self):
        self.model.train()
        loss, _ = self.model(self.ids, self.mask, labels=torch.full_like(self.ids, -100))
        loss.backward()
        self.assertEqual(loss.item(), 0.0)
        self.assertIsNotNone(self.model.cls.predictions.transform.dense.weight.grad)

    def test_loads_hf_style_state_dict(self):
        sd = {k.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta"): v
              for k, v in self.model.state_dict().items()}
        sd["bert.pooler.dense.weight"] = torch.zeros(32, 32)
        sd["cls.seq_relationship.weight"] = torch.zeros(2, 32)
        sd["cls.predictions.decoder.bias"] = sd["cls.predictions.bias"]
        sd["bert.embeddings.position_ids"] = torch.arange(40)[None]
        other = BertForMaskedLM(TINY).eval()
        other.load_state_dict(map_state_dict(sd), strict=True)
        self.assertTrue(torch.allclose(other(self.ids, self.mask), self.model(self.ids, self.mask)))


if __name__ == "__main__":
    unittest.main()
