"""A bag-of-n-grams hashtag classifier (fastText-style) trained beside the masked-LM, and the weight
that blends the two.

  /usr/bin/python3 trainer/ngram.py --data DATA --run runs/mini [--epochs 3] [--buckets 100000] [--dim 128]

The masked-LM generalises over wording; a small one does not keep tweet-level associations (a rare
word pair, a near-repeat of a training tweet) that a linear model over word pieces and hashed word-piece
bigrams keeps cheaply. The head reads the same `input_ids` as the recommender graph — the query
`[CLS] text [MASK] [SEP]`, hashtags removed — so `export.py` puts it into that graph:

  hashtag_logits = w · masked-LM logits + (1 − w) · n-gram logits

whose softmax is the normalised geometric mean p_LM^w · p_ngram^(1−w) of the two models' distributions
(the log-softmax of each would only subtract a constant per row, so the graph leaves it out).

Training: every training row with a hashtag becomes a query (its word pieces, hashtags removed) and a
target spread evenly over its hashtags; Adam (sparse for the embedding table), one pass per epoch,
the epoch with the best validation hit@5 kept. Then `w` is the grid value with the best validation
hit@5 (ties: MRR@10) of the blend with RUN/ckpt.pt. Then (unless --no-refit) a fresh head is trained
for that many epochs on the training and validation rows: the validation rows are the newest tweets,
and on this stream the newest are worth most. Writes RUN/ngram.pt; stdout carries JSON events.
"""
import argparse
import json
import os
import sys
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see train.py

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from trainer.data import DataError, load_meta, open_split, trim
from trainer.prior import choose_prior_weight, recency_prior, validation_window_prior
from trainer.train import Parser, UsageError, load_checkpoint

# Multiplier and increment of the classic 31-bit linear congruential generator: every product stays
# below 2**63, so PyTorch and the exported int64 graph compute the same buckets.
HASH_MUL, HASH_ADD, HASH_MOD = 1103515245, 12345, 2 ** 31
BLEND_GRID = [round(0.1 * i, 1) for i in range(11)]  # w = the masked-LM's exponent in the geometric mean
FORMAT = "hashtag-rec-ngram/v1"


class NgramHead(nn.Module):
    """Mean of the embeddings of a query's word pieces and hashed word-piece bigrams → hashtag logits.

    Rows 0..H0-1 of `embeddings` are the word pieces (ids below the hashtag offset), rows H0.. the
    bigram buckets. Special tokens ([PAD] [CLS] [SEP] [MASK]) and hashtag tokens are not features;
    a bigram is two adjacent feature tokens."""

    def __init__(self, hashtag_token_offset, num_hashtags, special_ids, buckets, dim):
        super().__init__()
        self.hashtag_token_offset, self.buckets, self.special_ids = hashtag_token_offset, buckets, list(special_ids)
        # Row 0 stands for "no feature": kept at zero (padding_idx), so a sum over all positions is the sum over features.
        self.embeddings = nn.Embedding(hashtag_token_offset + buckets, dim, sparse=True, padding_idx=0)
        self.classifier = nn.Linear(dim, num_hashtags)
        nn.init.uniform_(self.embeddings.weight, -1 / dim, 1 / dim)
        self.embeddings.weight.data[0].zero_()
        nn.init.zeros_(self.classifier.weight), nn.init.zeros_(self.classifier.bias)
        # Which token ids are features: one lookup in the graph instead of a comparison per special token
        # (ids from the offset on, hashtags and anything after them, all read the last entry, False).
        is_feature = torch.zeros(hashtag_token_offset + 1, dtype=torch.bool)
        is_feature[:hashtag_token_offset] = True
        is_feature[self.special_ids] = False
        is_feature[0] = False  # row 0 is the zero "no feature" row, whatever token id 0 is
        self.register_buffer("is_feature", is_feature, persistent=False)

    def config(self):
        return dict(format=FORMAT, hashtag_token_offset=self.hashtag_token_offset, num_hashtags=self.classifier.out_features,
                    special_ids=self.special_ids, buckets=self.buckets, dim=self.embeddings.embedding_dim,
                    hash=dict(multiplier=HASH_MUL, increment=HASH_ADD, modulus=HASH_MOD, pair="a * hashtag_token_offset + b"))

    def load_state_dict(self, state, strict=True):
        state = dict(state)
        state["embeddings.weight"] = state["embeddings.weight"].clone()
        state["embeddings.weight"][0] = 0.0  # heads saved before padding_idx: row 0 only ever had weight 0
        return super().load_state_dict(state, strict)

    def features(self, input_ids):
        """(feature ids [B, 2L-1], is-feature mask [B, 2L-1]): unigrams then bigrams; non-features read row 0."""
        ids = input_ids.long()
        word = self.is_feature[ids.clamp(max=self.hashtag_token_offset)]
        pair = ids[:, :-1] * self.hashtag_token_offset + ids[:, 1:]
        bucket = torch.remainder(pair * HASH_MUL + HASH_ADD, HASH_MOD)
        bucket = self.hashtag_token_offset + torch.remainder(bucket, self.buckets)
        pair_ok = word[:, :-1] & word[:, 1:]
        return torch.cat([ids * word.long(), bucket * pair_ok.long()], dim=1), torch.cat([word, pair_ok], dim=1)

    def forward(self, input_ids):
        feats, ok = self.features(input_ids)
        return self.classifier(self.embeddings(feats).sum(1) / ok.sum(1, keepdim=True).float().clamp(min=1.0))


def blend_logits(masked_lm_logits, ngram_logits, weight):
    """Logits whose softmax is ∝ p_LM^w · p_ngram^(1−w) (each model's normaliser is a per-row constant)."""
    return weight * masked_lm_logits + (1 - weight) * ngram_logits


def query_rows(rows, meta):
    """Rows with at least one hashtag token and one word piece → (queries [N, L] as serving builds them:
    `[CLS] pieces [MASK] [SEP]`, padded; hashtag index lists)."""
    h0, nh = meta["hashtag_token_offset"], meta["num_hashtags"]
    special = {meta[k] for k in ("pad_token_id", "cls_token_id", "sep_token_id", "mask_token_id")}
    width = meta["max_length"]
    queries, labels = [], []
    for r in np.asarray(rows).astype(np.int64).tolist():
        words = [t for t in r if t not in special and t < h0][: width - 3]
        tags = sorted({t - h0 for t in r if h0 <= t < h0 + nh})
        if words and tags:
            q = [meta["cls_token_id"], *words, meta["mask_token_id"], meta["sep_token_id"]]
            queries.append(q + [meta["pad_token_id"]] * (width - len(q)))
            labels.append(tags)
    return torch.tensor(queries, dtype=torch.long).reshape(-1, width), labels


def ranking_metrics(logits, labels):
    """hit@5 and MRR@10 of per-row hashtag logits against each row's hashtag index list."""
    top = logits.topk(min(10, logits.shape[1]), dim=-1).indices.tolist()
    hit5 = rr = 0.0
    for t, ls in zip(top, labels):
        ranks = [i for i, h in enumerate(t) if h in set(ls)]
        hit5 += bool(ranks and ranks[0] < 5)
        rr += 1.0 / (ranks[0] + 1) if ranks else 0.0
    n = max(len(labels), 1)
    return dict(hit5=hit5 / n, mrr10=rr / n)


@torch.no_grad()
def batched_logits(fn, queries, pad_token_id, batch_size=512):
    out = [fn(trim(queries[i:i + batch_size], pad_token_id)[0]) for i in range(0, len(queries), batch_size)]
    return torch.cat(out) if out else torch.zeros(0)


def masked_lm_logits(model, meta, queries):
    """The masked-LM's hashtag logits at each query's [MASK] (what the recommender graph computes)."""
    h0, nh = meta["hashtag_token_offset"], meta["num_hashtags"]

    def fn(x):
        attn = (x != meta["pad_token_id"]).long()
        return model(x, attn, masked_positions=x == meta["mask_token_id"])[:, h0:h0 + nh]
    return batched_logits(fn, queries, meta["pad_token_id"])


def train_head(meta, train_q, train_l, val_q, val_l, o, log):
    torch.manual_seed(o["seed"])
    special = [meta[k] for k in ("pad_token_id", "cls_token_id", "sep_token_id", "mask_token_id")]
    head = NgramHead(meta["hashtag_token_offset"], meta["num_hashtags"], special, o["buckets"], o["dim"])
    opt_sparse = torch.optim.SparseAdam(list(head.embeddings.parameters()), lr=o["learning_rate"])
    opt_dense = torch.optim.Adam(head.classifier.parameters(), lr=o["learning_rate"])
    best, best_state, history = None, None, []
    rng = np.random.default_rng(o["seed"])
    for epoch in range(1, o["epochs"] + 1):
        t0, total = time.perf_counter(), 0.0
        head.train()
        perm = rng.permutation(len(train_q))
        for start in range(0, len(perm), o["batch_size"]):
            rows = perm[start:start + o["batch_size"]]
            x = trim(train_q[rows], meta["pad_token_id"])[0]
            target = torch.zeros(len(rows), meta["num_hashtags"])
            for k, r in enumerate(rows.tolist()):
                target[k, train_l[r]] = 1.0 / len(train_l[r])
            loss = -(F.log_softmax(head(x), -1) * target).sum(-1).mean()
            opt_sparse.zero_grad(), opt_dense.zero_grad()
            loss.backward()
            opt_sparse.step(), opt_dense.step()
            total += loss.item() * len(rows)
        head.eval()
        val = ranking_metrics(batched_logits(head, val_q, meta["pad_token_id"]), val_l) if len(val_q) else None
        seconds = time.perf_counter() - t0
        log(event="epoch", epoch=epoch, rows=len(perm), loss=round(total / max(len(perm), 1), 5), val=val,
            examples_per_s=round(len(perm) / seconds, 1), elapsed_s=round(seconds, 2))
        history.append(dict(epoch=epoch, val=val))
        if val is None or best is None or val["hit5"] > best["hit5"]:
            best, best_state = dict(epoch=epoch, **(val or {})), {k: v.clone() for k, v in head.state_dict().items()}
    head.load_state_dict(best_state)
    return head.eval(), best, history


def choose_weight(bert_logits, head_logits, labels):
    """(w, metrics per grid value): the best validation hit@5 (ties: MRR@10; then more masked-LM)."""
    grid = {w: ranking_metrics(blend_logits(bert_logits, head_logits, w), labels) for w in BLEND_GRID}
    w = max(grid, key=lambda k: (round(grid[k]["hit5"], 6), round(grid[k]["mrr10"], 6), k))
    return w, grid


DEFAULTS = dict(refit=True, prior_weight=None, epochs=3, buckets=100_000, dim=128, batch_size=256, learning_rate=1e-2, seed=1337, threads=2, weight=None)


def build_parser():
    p = Parser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    a = p.add_argument
    a("--data", required=True, help="data directory written by `hashtag-rec prepare`")
    a("--run", required=True, help="run directory of the masked-LM (ckpt.pt); RUN/ngram.pt is written there")
    a("--epochs", type=int, default=DEFAULTS["epochs"], help="passes over the training rows; the best on val is kept (default 3)")
    a("--buckets", type=int, default=DEFAULTS["buckets"], help="hashed bigram buckets (default 100000)")
    a("--dim", type=int, default=DEFAULTS["dim"], help="embedding size (default 128)")
    a("--batch-size", type=int, default=DEFAULTS["batch_size"], help="default 256")
    a("--learning-rate", type=float, default=DEFAULTS["learning_rate"], help="Adam learning rate (default 1e-2)")
    a("--no-refit", dest="refit", action="store_false",
      help="keep the head trained on the training rows only (default: once val has chosen the epochs and the weight, "
           "train it again on training + validation rows)")
    a("--weight", type=float, default=None, help="blend weight of the masked-LM in [0, 1]; default: chosen on val")
    a("--prior-weight", type=float, default=None,
      help="weight of the recency prior (prior.py) in [0, 2]; default: chosen on val (0 without validation rows)")
    a("--seed", type=int, default=DEFAULTS["seed"], help="default 1337")
    a("--threads", type=int, default=DEFAULTS["threads"], help="torch CPU threads (default 2)")
    return p


def check_options(o):
    for k in ("epochs", "buckets", "dim", "batch_size", "threads"):
        if o[k] < 1:
            raise UsageError(f"--{k.replace('_', '-')} must be >= 1")
    if o["learning_rate"] <= 0:
        raise UsageError("--learning-rate must be > 0")
    if o["weight"] is not None and not 0.0 <= o["weight"] <= 1.0:
        raise UsageError("--weight must be in [0, 1]")
    if o["prior_weight"] is not None and not 0.0 <= o["prior_weight"] <= 2.0:
        raise UsageError("--prior-weight must be in [0, 2]")


def load_masked_lm(run_dir, meta):
    path = os.path.join(run_dir, "ckpt.pt")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path} not found (train the masked-LM into --run first)")
    model, ckpt = load_checkpoint(path)
    if ckpt["data_meta"]["vocab_size"] != meta["vocab_size"]:
        raise DataError(f"checkpoint vocab_size {ckpt['data_meta']['vocab_size']} != data vocab_size {meta['vocab_size']}")
    return model, ckpt["step"]


def choose_weights(model, meta, head, prior, val_q, val_l, o):
    """(blend weight, its grid, prior weight, its grid), each chosen on the validation rows unless given;
    without validation rows an even blend and no prior."""
    if not len(val_q):  # no recent window to take a prior from either
        return 0.5 if o["weight"] is None else o["weight"], None, 0.0, None
    bert = masked_lm_logits(model, meta, val_q)
    head_val = batched_logits(head, val_q, meta["pad_token_id"])
    chosen, grid = choose_weight(bert, head_val, val_l)
    weight = chosen if o["weight"] is None else o["weight"]
    chosen, prior_grid = choose_prior_weight(blend_logits(bert, head_val, weight), prior, val_l, ranking_metrics)
    prior_weight = chosen if o["prior_weight"] is None else o["prior_weight"]
    return weight, {str(k): m for k, m in grid.items()}, prior_weight, {str(k): m for k, m in prior_grid.items()}


def run(argv, log):
    o = vars(build_parser().parse_args(argv))
    check_options(o)
    torch.set_num_threads(o["threads"])
    meta = load_meta(o["data"])
    model, step = load_masked_lm(o["run"], meta)
    t0 = time.perf_counter()
    train_q, train_l = query_rows(open_split(o["data"], meta, "train"), meta)
    val_q, val_l = query_rows(open_split(o["data"], meta, "val"), meta)
    if not len(train_q):
        raise DataError(f"{o['data']}: no training row has both a hashtag token and a word piece")
    log(event="start", n_train=len(train_q), n_val=len(val_q), options=o)
    head, best, history = train_head(meta, train_q, train_l, val_q, val_l, o, log)
    nh, n_val = meta["num_hashtags"], len(val_q)
    prior = validation_window_prior(train_l, n_val, meta, o["prior_weight"], log)
    weight, grid, prior_weight, prior_grid = choose_weights(model, meta, head, prior, val_q, val_l, o)
    refit = bool(o["refit"] and n_val)
    if refit:
        # The validation rows are the newest tweets: once they have chosen the epochs and the weights,
        # a fresh head learns from them too (the same seed and epochs, on training + validation rows),
        # and they are the prior's recent window.
        head, _, _ = train_head(meta, torch.cat([train_q, val_q]), train_l + val_l, val_q[:0], [],
                                dict(o, epochs=best["epoch"]), lambda **kv: log(**dict(kv, event="refit_epoch")))
        prior = recency_prior(val_l, train_l + val_l, nh)
    out = os.path.join(o["run"], "ngram.pt")
    torch.save(dict(format=FORMAT, config=head.config(), state=head.state_dict(), blend_weight=weight, best_epoch=best["epoch"],
                    recency_prior=prior, prior_weight=prior_weight, prior_rows=n_val, masked_lm_step=step, refit=refit,
                    history=history, blend_grid=grid, prior_grid=prior_grid, options=o), out + ".tmp")
    os.replace(out + ".tmp", out)
    log(event="done", path=out, blend_weight=weight, prior_weight=prior_weight, best_epoch=best["epoch"], refit=refit,
        blend_val=grid and grid.get(str(weight)), prior_val=prior_grid and prior_grid.get(str(prior_weight)),
        elapsed_s=round(time.perf_counter() - t0, 2))


def main(argv=None):
    def log(**kv):
        print(json.dumps(kv), flush=True)
    try:
        run(argv, log)
        return 0
    except (UsageError, DataError, FileNotFoundError, ValueError) as e:
        message = f"{'usage' if isinstance(e, UsageError) else 'error'}: {e}"
        log(event="error", message=message)
        print(message, file=sys.stderr, flush=True)
        return 2 if isinstance(e, UsageError) else 1


if __name__ == "__main__":
    sys.exit(main())
