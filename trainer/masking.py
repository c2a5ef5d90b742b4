"""Masked-LM input corruption, driven by an explicit seeded torch.Generator.

Mode "hashtag" (the default for this project):
  * hashtag tokens (ids in [hashtag_token_offset, hashtag_token_offset + num_hashtags)) are selected
    with probability `hashtag_mask_prob` (default 0.9), and a selected hashtag is ALWAYS replaced
    by [MASK] (no 80/10/10): at inference time the recommender only ever sees a [MASK] where the
    hashtag goes, so there is no train/test mismatch to hedge against;
  * every other ordinary token is selected with probability `mlm_prob` (0.15) and corrupted with
    BERT's 80/10/10 rule: [MASK] / a random ordinary non-hashtag token / left unchanged.
Mode "plain" (the ablation): classic BERT masking, 15% of all ordinary tokens with 80/10/10, the
random replacement drawn from all ordinary tokens; hashtags are treated like any other token.

Special tokens (PAD, UNK, CLS, SEP, MASK) are never selected and never used as random replacements.
Labels hold the original id at selected positions and -100 everywhere else.
All random draws have the full batch shape, so the result depends only on the ids and the
generator state (same seed => same masks).
"""
from dataclasses import dataclass

import torch

IGNORE = -100


@dataclass(frozen=True)
class TokenSpec:
    vocab_size: int
    pad_token_id: int
    unk_token_id: int
    cls_token_id: int
    sep_token_id: int
    mask_token_id: int
    hashtag_token_offset: int
    num_hashtags: int

    @classmethod
    def from_meta(cls, meta):
        return cls(**{k: int(meta[k]) for k in cls.__dataclass_fields__})

    @property
    def special_ids(self):
        return [self.pad_token_id, self.unk_token_id, self.cls_token_id, self.sep_token_id, self.mask_token_id]

    def is_hashtag(self, ids):
        return (ids >= self.hashtag_token_offset) & (ids < self.hashtag_token_offset + self.num_hashtags)

    def is_special(self, ids):
        out = torch.zeros_like(ids, dtype=torch.bool)
        for s in self.special_ids:
            out |= ids == s
        return out

    def replacement_ids(self, include_hashtags):
        """Ordinary ids a token may be randomly replaced with."""
        ids = torch.arange(self.vocab_size if include_hashtags else self.hashtag_token_offset)
        return ids[~self.is_special(ids)]


def mask_tokens(input_ids, spec, generator, mode="hashtag", mlm_prob=0.15, hashtag_mask_prob=0.9):
    """Return (corrupted_ids, labels) for a CPU LongTensor batch [batch, seq]; input is not modified."""
    if mode not in ("hashtag", "plain"):
        raise ValueError(f"unknown masking mode {mode!r} (expected 'hashtag' or 'plain')")
    ids = input_ids
    special = spec.is_special(ids)
    tag = spec.is_hashtag(ids) & ~special if mode == "hashtag" else torch.zeros_like(special)

    prob = torch.full(ids.shape, mlm_prob)
    prob[tag] = hashtag_mask_prob
    prob[special] = 0.0
    selected = torch.bernoulli(prob, generator=generator).bool()
    labels = torch.where(selected, ids, torch.full_like(ids, IGNORE))

    r = torch.rand(ids.shape, generator=generator)
    candidates = spec.replacement_ids(include_hashtags=(mode == "plain"))
    random_ids = candidates[torch.randint(0, len(candidates), ids.shape, generator=generator)]

    to_mask = selected & (tag | (r < 0.8))
    to_random = selected & ~tag & (r >= 0.8) & (r < 0.9)
    out = ids.clone()
    out[to_mask] = spec.mask_token_id
    out[to_random] = random_ids[to_random]
    return out, labels


def to_query_rows(input_ids, corrupted, labels, spec, generator, prob):
    """Rewrite a share `prob` of the rows that hold hashtags the way evaluation asks about a post.

    Evaluation removes every hashtag from the text and puts one [MASK] at the end (serving keeps
    the hashtags a draft already holds), so a chosen row
    `[CLS] w1 #a w2 #b [SEP]` becomes `[CLS] w1 w2 [MASK] [SEP]` with one of its hashtags, drawn
    at random, as the only label. Other rows keep their (corrupted_ids, labels) from mask_tokens.
    Returns new (corrupted_ids, labels); inputs are not modified.
    """
    if prob <= 0:
        return corrupted, labels
    tag = spec.is_hashtag(input_ids)
    has_tag = tag.any(dim=1)
    chosen = (torch.rand(input_ids.shape[0], generator=generator) < prob) & has_tag
    if not chosen.any():
        return corrupted, labels
    out, out_labels = corrupted.clone(), labels.clone()
    picks = torch.rand(input_ids.shape, generator=generator)
    for row in torch.nonzero(chosen).flatten().tolist():
        ids = input_ids[row]
        keep = ids[(~tag[row]) & (ids != spec.pad_token_id)]  # [CLS] words [SEP]
        tags = ids[tag[row]]
        target = tags[torch.argmax(picks[row][: len(tags)])]
        new = torch.cat([keep[:-1], torch.tensor([spec.mask_token_id, spec.sep_token_id], dtype=ids.dtype)])
        out[row] = spec.pad_token_id
        out[row, : len(new)] = new
        out_labels[row] = IGNORE
        out_labels[row, len(new) - 2] = target
    return out, out_labels
