import unittest

import torch

from trainer.masking import IGNORE, TokenSpec, mask_tokens

SPEC = TokenSpec(vocab_size=1000, pad_token_id=0, unk_token_id=1, cls_token_id=2, sep_token_id=3, mask_token_id=4,
                 hashtag_token_offset=900, num_hashtags=100)


def batch(n=512, length=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, 900, (n, length), generator=g)
    tags = torch.rand(n, length, generator=g) < 0.2
    ids[tags] = torch.randint(900, 1000, (int(tags.sum()),), generator=g)
    ids[:, 0] = SPEC.cls_token_id
    ends = torch.randint(10, length, (n,), generator=g)
    for i, e in enumerate(ends.tolist()):
        ids[i, e] = SPEC.sep_token_id
        ids[i, e + 1:] = SPEC.pad_token_id
    ids[::7, 5] = SPEC.unk_token_id
    return ids


class MaskingTest(unittest.TestCase):
    def setUp(self):
        self.ids = batch()
        self.special = SPEC.is_special(self.ids)
        self.tag = SPEC.is_hashtag(self.ids)
        self.plain = ~self.special & ~self.tag

    def run_mask(self, mode, seed=1, **kw):
        ids = self.ids.clone()
        x, labels = mask_tokens(ids, SPEC, torch.Generator().manual_seed(seed), mode, **kw)
        self.assertTrue(torch.equal(ids, self.ids), "input must not be modified")
        return x, labels

    def rate(self, selected, where):
        return float(selected[where].float().mean())

    def test_hashtag_mode_rates(self):
        x, labels = self.run_mask("hashtag", hashtag_mask_prob=0.9)
        sel = labels != IGNORE
        self.assertTrue(torch.equal(labels[sel], self.ids[sel]))
        self.assertAlmostEqual(self.rate(sel, self.tag), 0.9, delta=0.015)
        self.assertAlmostEqual(self.rate(sel, self.plain), 0.15, delta=0.01)
        self.assertTrue(bool((x[sel & self.tag] == SPEC.mask_token_id).all()), "masked hashtags always become [MASK]")
        ps = sel & self.plain
        n = int(ps.sum())
        masked = int((x[ps] == SPEC.mask_token_id).sum()) / n
        unchanged = int((x[ps] == self.ids[ps]).sum()) / n
        self.assertAlmostEqual(masked, 0.8, delta=0.02)
        self.assertAlmostEqual(unchanged, 0.1, delta=0.02)
        self.assertAlmostEqual(1 - masked - unchanged, 0.1, delta=0.02)
        replaced = x[ps & (x != SPEC.mask_token_id) & (x != self.ids)]
        self.assertFalse(bool(SPEC.is_special(replaced).any()))
        self.assertFalse(bool(SPEC.is_hashtag(replaced).any()), "random replacements are ordinary tokens")

    def test_specials_never_masked(self):
        for mode in ("hashtag", "plain"):
            x, labels = self.run_mask(mode, hashtag_mask_prob=1.0)
            self.assertTrue(bool((labels[self.special] == IGNORE).all()))
            self.assertTrue(torch.equal(x[self.special], self.ids[self.special]))
            self.assertTrue(bool((x[labels == IGNORE] == self.ids[labels == IGNORE]).all()))

    def test_plain_mode_uniform(self):
        x, labels = self.run_mask("plain", hashtag_mask_prob=0.9)
        sel = labels != IGNORE
        self.assertAlmostEqual(self.rate(sel, self.tag), 0.15, delta=0.015)
        self.assertAlmostEqual(self.rate(sel, self.plain), 0.15, delta=0.01)
        ts = sel & self.tag
        self.assertAlmostEqual(int((x[ts] == SPEC.mask_token_id).sum()) / int(ts.sum()), 0.8, delta=0.04)

    def test_same_seed_same_masks(self):
        a, la = self.run_mask("hashtag", seed=7)
        b, lb = self.run_mask("hashtag", seed=7)
        c, lc = self.run_mask("hashtag", seed=8)
        self.assertTrue(torch.equal(a, b) and torch.equal(la, lb))
        self.assertFalse(torch.equal(la, lc))

    def test_bad_mode(self):
        with self.assertRaises(ValueError):
            mask_tokens(self.ids, SPEC, torch.Generator(), "bogus")


if __name__ == "__main__":
    unittest.main()
