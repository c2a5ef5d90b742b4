"""Write a synthetic data directory in the `hashtag-rec prepare` format (for tests and speed runs).

Ids: 0 PAD, 1 UNK, 2 CLS, 3 SEP, 4 MASK, 5..H0-1 ordinary tokens, H0..V-1 hashtags. Each row has a
topic; its words come from a topic-skewed Zipf distribution and its 1-3 hashtags from the topic's
hashtags, so a model can learn something.

  /usr/bin/python3 trainer/synthetic.py --out /tmp/synth --n-train 20000 --vocab-size 40522 --num-hashtags 10000
"""
import argparse
import json
import os

import numpy as np

SPECIALS = dict(pad_token_id=0, unk_token_id=1, cls_token_id=2, sep_token_id=3, mask_token_id=4)


def make_rows(n, rng, vocab_size, num_hashtags, max_length, full_length, n_topics=16):
    h0 = vocab_size - num_hashtags
    n_words = h0 - 5
    rows = np.zeros((n, max_length), np.int64)
    zipf = 1.0 / np.arange(1, n_words + 1)
    zipf /= zipf.sum()
    shift = rng.integers(0, n_words, n_topics)  # each topic favours a different slice of the vocabulary
    for i in range(n):
        t = rng.integers(n_topics)
        k = int(rng.integers(1, 4))
        length = max_length - 2 if full_length else int(rng.integers(k + 2, max_length - 1))
        words = (rng.choice(n_words, size=length - k, p=zipf) + shift[t]) % n_words + 5
        tags = h0 + (t + n_topics * rng.integers(0, max(num_hashtags // n_topics, 1), k)) % num_hashtags
        toks = np.concatenate([words, tags])
        rows[i, 0], rows[i, 1:length + 1], rows[i, length + 1] = 2, toks, 3
    return rows


def write_data_dir(out, n_train=256, n_val=64, vocab_size=120, num_hashtags=20, max_length=32,
                   dtype="uint16", seed=0, full_length=False):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(seed)
    np_dtype = np.dtype(dtype).newbyteorder("<")
    for split, n in (("train", n_train), ("val", n_val)):
        rows = make_rows(n, rng, vocab_size, num_hashtags, max_length, full_length)
        rows.astype(np_dtype).tofile(os.path.join(out, split + ".bin"))
    meta = dict(format="hashtag-rec/v1", dtype=dtype, max_length=max_length, n_train=n_train, n_val=n_val,
                vocab_size=vocab_size, hashtag_token_offset=vocab_size - num_hashtags, num_hashtags=num_hashtags,
                **SPECIALS, synthetic=True)
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump({"synthetic": True}, f)
    with open(os.path.join(out, "hashtags.json"), "w") as f:
        json.dump([f"#tag{i}" for i in range(num_hashtags)], f)
    return meta


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--n-train", type=int, default=20000)
    p.add_argument("--n-val", type=int, default=1000)
    p.add_argument("--vocab-size", type=int, default=40522)
    p.add_argument("--num-hashtags", type=int, default=10000)
    p.add_argument("--max-length", type=int, default=64)
    p.add_argument("--dtype", default="uint16", choices=["uint16", "uint32"])
    p.add_argument("--full-length", action="store_true", help="every row uses all max_length positions")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    write_data_dir(a.out, a.n_train, a.n_val, a.vocab_size, a.num_hashtags, a.max_length, a.dtype, a.seed, a.full_length)


if __name__ == "__main__":
    main()
