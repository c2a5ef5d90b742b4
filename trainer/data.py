"""Reading a `hashtag-rec prepare` data directory (meta.json + train.bin/val.bin token matrices).

Batches are a pure function of (seed, step, rank): each epoch is a seeded permutation of the
training rows and global step s on rank r of a world of W takes the r-th of W consecutive,
disjoint batch slices. Resuming at any step therefore sees exactly the same data.
"""
import json
import os

import numpy as np
import torch

FORMAT = "hashtag-rec/v1"
DTYPES = {"uint16": np.uint16, "uint32": np.uint32}
REQUIRED = ["dtype", "max_length", "n_train", "n_val", "vocab_size", "pad_token_id", "unk_token_id",
            "cls_token_id", "sep_token_id", "mask_token_id", "hashtag_token_offset", "num_hashtags"]


class DataError(Exception):
    """A problem with the data directory; the message is meant for the user."""


def load_meta(data_dir):
    path = os.path.join(data_dir, "meta.json")
    if not os.path.isfile(path):
        raise DataError(f"{path} not found (create the data directory with `hashtag-rec prepare`)")
    try:
        with open(path) as f:
            meta = json.load(f)
    except ValueError as e:
        raise DataError(f"{path} is not valid JSON: {e}")
    if meta.get("format") != FORMAT:
        raise DataError(f"{path}: format is {meta.get('format')!r}, expected {FORMAT!r}")
    missing = [k for k in REQUIRED if k not in meta]
    if missing:
        raise DataError(f"{path}: missing keys {', '.join(missing)}")
    if meta["dtype"] not in DTYPES:
        raise DataError(f"{path}: dtype {meta['dtype']!r} is not supported (expected uint16 or uint32)")
    for k in REQUIRED[1:]:
        if not isinstance(meta[k], int) or meta[k] < 0:
            raise DataError(f"{path}: {k} must be a non-negative integer, got {meta[k]!r}")
    h0, nh, v = meta["hashtag_token_offset"], meta["num_hashtags"], meta["vocab_size"]
    if h0 + nh != v:
        raise DataError(f"{path}: hashtag_token_offset + num_hashtags = {h0 + nh} != vocab_size {v}")
    if meta["dtype"] == "uint16" and v > 65536:
        raise DataError(f"{path}: vocab_size {v} does not fit dtype uint16")
    return meta


def open_split(data_dir, meta, split):
    """Memory-map `split`.bin as an [n, max_length] array (validated against meta.json)."""
    n, length = meta["n_" + split], meta["max_length"]
    path = os.path.join(data_dir, split + ".bin")
    if n == 0:
        return np.zeros((0, length), DTYPES[meta["dtype"]])
    if not os.path.isfile(path):
        raise DataError(f"{path} not found")
    dtype = np.dtype(DTYPES[meta["dtype"]]).newbyteorder("<")
    expected = n * length * dtype.itemsize
    size = os.path.getsize(path)
    if size != expected:
        raise DataError(f"{path}: {size} bytes, expected n_{split} * max_length * {dtype.itemsize} = {expected} "
                        f"(is dtype {meta['dtype']} right?)")
    return np.memmap(path, dtype=dtype, mode="r", shape=(n, length))


class TrainBatches:
    def __init__(self, data, batch_size, seed, rank=0, world_size=1):
        self.data, self.B, self.seed, self.rank, self.W = data, batch_size, seed, rank, world_size
        self.per_epoch = len(data) // (batch_size * world_size)
        if self.per_epoch == 0:
            raise DataError(f"n_train={len(data)} is smaller than batch_size * world_size = {batch_size * world_size}")
        self._epoch, self._perm = None, None

    def rows(self, step):
        """Row indices used by this rank at global step `step` (0-based)."""
        epoch, j = divmod(step, self.per_epoch)
        if epoch != self._epoch:
            self._epoch, self._perm = epoch, np.random.default_rng([self.seed, epoch]).permutation(len(self.data))
        start = (j * self.W + self.rank) * self.B
        return np.sort(self._perm[start:start + self.B])

    def __call__(self, step):
        return self.data[self.rows(step)]


def trim(ids, pad_token_id):
    """Attention mask for a padded batch, with all-padding trailing columns dropped."""
    mask = (ids != pad_token_id).long()
    used = (mask.sum(0) > 0).nonzero()
    length = int(used.max()) + 1 if len(used) else 1
    return ids[:, :length].contiguous(), mask[:, :length].contiguous()


def load_rows(rows, meta):
    ids = torch.from_numpy(np.asarray(rows).astype(np.int64))
    if ids.numel() and int(ids.max()) >= meta["vocab_size"]:
        raise DataError(f"token id {int(ids.max())} >= vocab_size {meta['vocab_size']}")
    return trim(ids, meta["pad_token_id"])


def derive_seed(*parts):
    """A 63-bit seed from a tuple of ints (e.g. seed, step, rank, purpose)."""
    a, b = np.random.SeedSequence([int(p) for p in parts]).generate_state(2)
    return (int(a) << 31) ^ int(b)
