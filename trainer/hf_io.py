"""Hugging Face file formats without the HF libraries: safetensors read/write and BERT checkpoint loading.

safetensors layout: 8-byte little-endian header length N, N bytes of JSON
{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}, then the raw
little-endian tensor bytes (offsets relative to the end of the header).
"""
import json
import os
import struct

import numpy as np
import torch

from trainer.model import BertConfig

ST_DTYPES = {  # torch dtype -> (safetensors name, numpy dtype used to move the bytes)
    torch.float64: ("F64", "<f8"), torch.float32: ("F32", "<f4"), torch.float16: ("F16", "<f2"),
    torch.bfloat16: ("BF16", "<i2"), torch.int64: ("I64", "<i8"), torch.int32: ("I32", "<i4"),
    torch.int16: ("I16", "<i2"), torch.int8: ("I8", "i1"), torch.uint8: ("U8", "u1"), torch.bool: ("BOOL", "u1"),
}
FROM_ST = {name: (dt, npdt) for dt, (name, npdt) in ST_DTYPES.items()}


def _tensor_bytes(t):
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    elif t.dtype == torch.bool:
        t = t.to(torch.uint8)
    return t.numpy().astype(ST_DTYPES[t.dtype][1], copy=False).tobytes()


def save_safetensors(tensors, path, metadata=None):
    """Write {name: tensor} (no shared storage needed; tensors are copied) as a .safetensors file."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name]
        data = _tensor_bytes(t)
        header[name] = {"dtype": ST_DTYPES[t.dtype][0], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt", **(metadata or {})}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)  # pad so tensor data starts 8-byte aligned, as the reference writer does
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def load_safetensors(path):
    """Read a .safetensors file into {name: CPU tensor} (metadata is dropped)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype, npdt = FROM_ST[info["dtype"]]
        b, e = info["data_offsets"]
        arr = np.frombuffer(data[b:e], dtype=npdt).reshape(info["shape"]).copy()
        t = torch.from_numpy(arr)
        out[name] = t.view(torch.bfloat16) if dtype == torch.bfloat16 else t.to(dtype)
    return out


def load_safetensors_metadata(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(n)).get("__metadata__", {})


# ---- Hugging Face BERT checkpoints -------------------------------------------------------------

DROP_PREFIXES = ("bert.pooler.", "cls.seq_relationship.")
DROP_NAMES = {"bert.embeddings.position_ids"}


def hf_name(name):
    """Map a checkpoint key to this model's name: add the `bert.` prefix (BertModel checkpoints),
    and rename old TF-style LayerNorm `gamma`/`beta` to `weight`/`bias`."""
    if not name.startswith(("bert.", "cls.")):
        name = "bert." + name
    return name.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias")


def map_state_dict(sd):
    """Rename keys and drop what BertForMaskedLM does not have (pooler, NSP head, position_ids)."""
    out, decoder_bias = {}, None
    for k, v in sd.items():
        k = hf_name(k)
        if k == "cls.predictions.decoder.bias":  # the same tensor as cls.predictions.bias in HF
            decoder_bias = v
        elif k not in DROP_NAMES and not k.startswith(DROP_PREFIXES):
            out[k] = v
    if "cls.predictions.bias" not in out and decoder_bias is not None:
        out["cls.predictions.bias"] = decoder_bias
    return out


def read_hf_checkpoint(hf_dir):
    """Return (BertConfig, mapped state dict) from a directory with config.json and weights."""
    cfg_path = os.path.join(hf_dir, "config.json")
    if not os.path.isfile(cfg_path):
        raise FileNotFoundError(f"{cfg_path} not found (--init-from wants a Hugging Face model directory)")
    with open(cfg_path) as f:
        cfg = json.load(f)
    if cfg.get("model_type", "bert") != "bert":
        raise ValueError(f"{cfg_path}: model_type {cfg.get('model_type')!r} is not 'bert'")
    st, pt = os.path.join(hf_dir, "model.safetensors"), os.path.join(hf_dir, "pytorch_model.bin")
    if os.path.isfile(st):
        sd = load_safetensors(st)
    elif os.path.isfile(pt):
        sd = torch.load(pt, map_location="cpu", weights_only=True)  # plain tensors only: never unpickle code
    else:
        raise FileNotFoundError(f"{hf_dir}: neither model.safetensors nor pytorch_model.bin found")
    sd = {k: v.float() if v.is_floating_point() else v for k, v in map_state_dict(sd).items()}
    return BertConfig.from_dict(cfg), sd


def grow_rows(old, n_rows, keep, generator, noise=0.1):
    """Keep the first `keep` rows of `old`; rows keep..n_rows-1 get the mean of the kept rows plus
    Gaussian noise with `noise` times their per-column standard deviation."""
    base = old[:keep]
    new = base.mean(0, keepdim=True).repeat(n_rows - keep, *([1] * (old.dim() - 1)))
    if old.dim() > 1 and n_rows > keep:
        new += torch.randn(new.shape, generator=generator) * base.std(0, keepdim=True) * noise
    return torch.cat([base, new], 0)


def read_hashtag_keys(directory):
    """The keys of a directory's hashtags.json in row order (row i is hashtag_token_offset + i), or
    None without one. Entries are {"key": ...} objects (prepare, export) or "#tag" strings."""
    path = os.path.join(directory, "hashtags.json")
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        entries = json.load(f)
    return [e["key"] if isinstance(e, dict) else str(e).lstrip("#").lower() for e in entries]


def carried_hashtag_rows(hf_dir, data_dir, data_offset):
    """(checkpoint row, data row) for each hashtag that a checkpoint exported by this project
    (config.json with hashtag_token_offset, and hashtags.json) shares with the data, by key.
    A plain BERT checkpoint has no hashtag rows: []."""
    with open(os.path.join(hf_dir, "config.json")) as f:
        config = json.load(f)
    offset = config.get("hashtag_token_offset")
    old, new = read_hashtag_keys(hf_dir), read_hashtag_keys(data_dir)
    if offset is None or old is None or new is None:
        return []
    if offset + len(old) > config.get("vocab_size", 0):
        raise ValueError(f"{hf_dir}: hashtag_token_offset {offset} + {len(old)} hashtags in hashtags.json exceed "
                         f"config.json vocab_size {config.get('vocab_size')}")
    rows = {key: offset + i for i, key in enumerate(old)}
    return [(rows[key], data_offset + i) for i, key in enumerate(new) if key in rows]


def adapt_vocab(sd, vocab_size, hashtag_token_offset, seed=0, carried=()):
    """Grow (or cut) word embeddings and the MLM bias to the data's vocab.

    Ids below min(hashtag_token_offset, checkpoint vocab) keep their pretrained rows -- this only
    makes sense if the data was prepared with the checkpoint's own tokenizer, so base ids agree.
    `carried` (checkpoint row, data row) pairs copy the rows of hashtags both vocabularies have.
    Other hashtag rows and anything beyond the checkpoint vocab are new: mean embedding + small noise.
    """
    g = torch.Generator().manual_seed(seed)
    emb = sd["bert.embeddings.word_embeddings.weight"]
    keep = min(hashtag_token_offset, emb.shape[0])
    old_rows, new_rows = (list(rows) for rows in zip(*carried)) if carried else ([], [])
    for name in ("bert.embeddings.word_embeddings.weight", "cls.predictions.bias"):
        if name in sd:
            grown = grow_rows(sd[name], vocab_size, keep, g)
            grown[new_rows] = sd[name][old_rows]
            sd[name] = grown
    sd["cls.predictions.decoder.weight"] = sd["bert.embeddings.word_embeddings.weight"]
    return {"checkpoint_vocab": emb.shape[0], "kept_rows": keep, "carried_hashtags": len(new_rows),
            "new_rows": vocab_size - keep - len(new_rows)}
