"""Export a training checkpoint as a Hugging Face-style model directory with ONNX graphs.

  /usr/bin/python3 trainer/export.py --checkpoint runs/mini/ckpt.pt --data DATA --out models/mini

MODEL_DIR/
  config.json, model.safetensors, tokenizer.json, hashtags.json, train_config.json
  onnx/model.onnx               fill-mask graph: input_ids, attention_mask, token_type_ids -> logits [B, L, V]
  onnx/recommender.onnx         input_ids, attention_mask -> hashtag_logits [B, NH], mask_hidden_state [B, H],
                                hashtag_probabilities [B, NH] (the softmax of hashtag_logits)
  onnx/recommender_int8.onnx    the same, int8 weights (see quantize.py)
  ngram.safetensors             with an n-gram head (RUN/ngram.pt, see ngram.py): its weights and recency prior;
                                config.json's `ngram_head` holds its sizes and weights, and the recommender graphs
                                blend it in (hashtag_logits = w · masked-LM logits + (1 − w) · n-gram logits
                                + prior_weight · recency_prior, see prior.py)
"""
import argparse
import inspect
import json
import os
import shutil
import sys

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

from trainer.data import DataError, load_meta, open_split
from trainer.hf_io import save_safetensors
from trainer.ngram import FORMAT as NGRAM_FORMAT, NgramHead, blend_logits
from trainer.quantize import quantize_dynamic
from trainer.train import Parser, UsageError, load_checkpoint

AXES = {0: "batch_size", 1: "sequence_length"}


class FillMask(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        c, head = self.model.config, self.model.cls.predictions
        t = head.transform(self.model.bert(input_ids, attention_mask, token_type_ids)).reshape(-1, c.hidden_size)
        # 2-D linear exports as Gemm(transB=1) on the word-embedding initializer itself: no transposed copy
        logits = F.linear(t, head.decoder.weight, head.bias)
        return logits.reshape(input_ids.shape[0], input_ids.shape[1], c.vocab_size)


class Recommender(nn.Module):
    """Hashtag scores at the first [MASK] of each row; the MLM head runs at that position only,
    against the hashtag rows of the (tied) embedding matrix. A row without [MASK] uses position 0.
    The softmax is in the graph too: ONNX Runtime's vectorised one is several times faster than a
    JavaScript loop over 10,000 logits, which was a quarter of a one-tweet call.

    With an n-gram head (ngram.py), hashtag_logits are `w · masked-LM logits + (1 − w) · n-gram logits`,
    whose softmax is the normalised geometric mean of the two distributions, plus the weighted recency
    prior (prior.py) when it has one; mask_hidden_state stays the masked-LM's."""

    def __init__(self, model, hashtag_token_offset, num_hashtags, mask_token_id, ngram=None, blend_weight=None, prior=None):
        super().__init__()
        self.ngram, self.blend_weight = ngram, None if ngram is None else float(blend_weight)
        self.register_buffer("hashtag_prior", None if prior is None else prior.detach().float().clone())
        self.bert, self.transform = model.bert, model.cls.predictions.transform
        self.mask_token_id, self.hidden_size = mask_token_id, model.config.hidden_size  # Python ints: static in the graph
        rows = slice(hashtag_token_offset, hashtag_token_offset + num_hashtags)
        self.register_buffer("hashtag_weight", model.bert.embeddings.word_embeddings.weight[rows].detach().t().contiguous())
        self.register_buffer("hashtag_bias", model.cls.predictions.bias[rows].detach().clone())

    def forward(self, input_ids, attention_mask):
        # The encoder as BertModel runs it (token_type_ids all zeros), except that the last layer
        # computes only the [MASK] row: its query, attention output and feed-forward. Rows are
        # independent after the keys and values, so the result is the same as gathering the row of
        # the full output, for less work.
        mask_bias = self.bert.attention_bias(attention_mask)
        *first, last = self.bert.encoder.layer
        x = self.bert.embeddings(input_ids)
        for layer in first:
            x = layer(x, mask_bias)
        pos = torch.argmax((input_ids == self.mask_token_id).float(), dim=1)  # first maximum = first [MASK]
        index = pos.view(-1, 1, 1).expand(-1, 1, self.hidden_size)
        hidden = last(x, mask_bias, rows=torch.gather(x, 1, index)).reshape(-1, self.hidden_size)
        logits = torch.matmul(self.transform(hidden), self.hashtag_weight) + self.hashtag_bias
        if self.ngram is not None:
            logits = blend_logits(logits, self.ngram(input_ids), self.blend_weight)
        if self.hashtag_prior is not None:
            logits = logits + self.hashtag_prior
        return logits, hidden, torch.softmax(logits, dim=-1)


def load_ngram(path, meta):
    """(NgramHead, blend weight, saved dict) from RUN/ngram.pt, checked against the data's hashtag range."""
    saved = torch.load(path, map_location="cpu", weights_only=False)
    c = saved.get("config", {})
    if saved.get("format") != NGRAM_FORMAT:
        raise DataError(f"{path}: format {saved.get('format')!r} is not {NGRAM_FORMAT!r}")
    if (c["hashtag_token_offset"], c["num_hashtags"]) != (meta["hashtag_token_offset"], meta["num_hashtags"]):
        raise DataError(f"{path}: trained for hashtag ids {c['hashtag_token_offset']}+{c['num_hashtags']}, the data has "
                        f"{meta['hashtag_token_offset']}+{meta['num_hashtags']} (retrain it on this data)")
    head = NgramHead(c["hashtag_token_offset"], c["num_hashtags"], c["special_ids"], c["buckets"], c["dim"])
    head.load_state_dict(saved["state"])
    return head.eval(), float(saved["blend_weight"]), saved


def weighted_prior(saved):
    """`prior_weight · recency_prior` from a saved head, or None when it has none (or a weight of 0)."""
    weight = float(saved.get("prior_weight") or 0.0)
    return weight * saved["recency_prior"] if weight and saved.get("recency_prior") is not None else None


def onnx_export(module, args, path, input_names, output_names, opset, output_dims=None):
    kw = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    axes = {n: AXES for n in input_names}
    axes.update({n: {0: "batch_size"} for n in output_names})
    if "logits" in output_names:
        axes["logits"] = {0: "batch_size", 1: "sequence_length"}
    with torch.no_grad():
        torch.onnx.export(module, args, path, input_names=input_names, output_names=output_names,
                          dynamic_axes=axes, opset_version=opset, do_constant_folding=True, **kw)
    m = onnx.load(path)
    for out in m.graph.output:  # state static sizes the exporter's shape inference lost (e.g. after GatherElements)
        if output_dims and out.name in output_dims:
            for dim, size in zip(out.type.tensor_type.shape.dim, output_dims[out.name]):
                if isinstance(size, int):
                    dim.dim_value = size
                else:
                    dim.dim_param = size
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, path)


def example_rows(meta, data_dir, n=4):
    """Up to n rows from val (or train) rewritten as inference queries: [CLS] text [MASK] [SEP]
    (hashtags removed), right-padded to the longest."""
    src = open_split(data_dir, meta, "val") if meta["n_val"] else open_split(data_dir, meta, "train")
    special = {meta[k] for k in ("pad_token_id", "unk_token_id", "cls_token_id", "sep_token_id", "mask_token_id")}
    h0, rows = meta["hashtag_token_offset"], []
    for r in np.asarray(src[: n * 4]):
        text = [int(t) for t in r if int(t) not in special and int(t) < h0][: meta["max_length"] - 3]
        if text:
            rows.append([meta["cls_token_id"], *text, meta["mask_token_id"], meta["sep_token_id"]])
        if len(rows) == n:
            break
    if not rows:
        rows = [[meta["cls_token_id"], meta["mask_token_id"], meta["sep_token_id"]]]
    width = max(len(r) for r in rows)
    ids = torch.tensor([r + [meta["pad_token_id"]] * (width - len(r)) for r in rows])
    return ids, (ids != meta["pad_token_id"]).long()


def write_parity(path, model, rec, ids, mask, meta):
    with torch.no_grad():
        tag_logits, hidden, _ = rec(ids, mask)
        pos = int((ids[0] == meta["mask_token_id"]).nonzero()[0])
        full = model(ids[:1], mask[:1], torch.zeros_like(ids[:1]))[0, pos]
    fixture = dict(
        input_ids=ids.tolist(), attention_mask=mask.tolist(), token_type_ids=torch.zeros_like(ids).tolist(),
        mask_positions=[int((r == meta["mask_token_id"]).nonzero()[0]) for r in ids],
        hashtag_logits=tag_logits.tolist(), mask_hidden_state=hidden.tolist(), logits=full.tolist(),
        top5_hashtags=tag_logits.topk(min(5, tag_logits.shape[1]), dim=1).indices.tolist(),
        hashtag_token_offset=meta["hashtag_token_offset"], num_hashtags=meta["num_hashtags"],
        mask_token_id=meta["mask_token_id"], vocab_size=meta["vocab_size"], fp32_max_abs_diff=1e-4,
        notes="logits: full fill-mask model, row 0, at its mask position; top5_hashtags: indices into the hashtag range",
    )
    with open(path, "w") as f:
        json.dump(fixture, f)


def export(checkpoint, data_dir, out, int8=True, opset=14, parity=None, ngram=None):
    model, ckpt = load_checkpoint(checkpoint)
    meta = load_meta(data_dir)
    cfg = model.config
    if meta["vocab_size"] != cfg.vocab_size:
        raise DataError(f"data vocab_size {meta['vocab_size']} != checkpoint vocab_size {cfg.vocab_size}")
    head = weight = prior = None
    if ngram:
        head, weight, saved = load_ngram(ngram, meta)
        prior = weighted_prior(saved)
        if saved.get("masked_lm_step") != ckpt["step"]:
            raise DataError(f"{ngram} was blended with the masked-LM at step {saved.get('masked_lm_step')}, "
                            f"{checkpoint} is at step {ckpt['step']}: run ngram.py again")
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    extra = {k: meta[k] for k in ("hashtag_token_offset", "num_hashtags", "mask_token_id", "max_length")}
    config = dict(model_type="bert", architectures=["BertForMaskedLM"], **cfg.to_dict(),
                  position_embedding_type="absolute", torch_dtype="float32", **extra)
    if head is not None:
        config["ngram_head"] = dict(head.config(), blend_weight=weight, best_epoch=saved["best_epoch"], refit=saved.get("refit", False),
                                    prior_weight=float(saved.get("prior_weight") or 0.0), prior_rows=saved.get("prior_rows", 0),
                                    blend_val=(saved.get("blend_grid") or {}).get(str(weight)))
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    sd = {k: v.contiguous() for k, v in model.state_dict().items() if k != "cls.predictions.decoder.weight"}
    save_safetensors(sd, os.path.join(out, "model.safetensors"))
    if head is not None:
        tensors = {k: v.contiguous() for k, v in head.state_dict().items()}
        if saved.get("recency_prior") is not None:
            tensors["recency_prior"] = saved["recency_prior"].float().contiguous()
        save_safetensors(tensors, os.path.join(out, "ngram.safetensors"))
    elif os.path.isfile(os.path.join(out, "ngram.safetensors")):
        os.remove(os.path.join(out, "ngram.safetensors"))  # a stale head from an earlier export into this directory
    for name in ("tokenizer.json", "hashtags.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        if os.path.isfile(os.path.join(data_dir, name)):
            shutil.copyfile(os.path.join(data_dir, name), os.path.join(out, name))
        elif name in ("tokenizer.json", "hashtags.json"):
            raise DataError(f"{os.path.join(data_dir, name)} not found")
    tc = os.path.join(os.path.dirname(os.path.abspath(checkpoint)), "train_config.json")
    if os.path.isfile(tc):
        shutil.copyfile(tc, os.path.join(out, "train_config.json"))
    else:
        with open(os.path.join(out, "train_config.json"), "w") as f:
            json.dump(dict(options=ckpt["options"], model_config=ckpt["model_config"], data_meta=ckpt["data_meta"]), f, indent=2)

    ids, mask = example_rows(meta, data_dir)
    onnx_export(FillMask(model), (ids, mask, torch.zeros_like(ids)), os.path.join(out, "onnx", "model.onnx"),
                ["input_ids", "attention_mask", "token_type_ids"], ["logits"], opset,
                {"logits": ["batch_size", "sequence_length", cfg.vocab_size]})
    rec = Recommender(model, meta["hashtag_token_offset"], meta["num_hashtags"], meta["mask_token_id"], head, weight, prior).eval()
    rec_path = os.path.join(out, "onnx", "recommender.onnx")
    onnx_export(rec, (ids, mask), rec_path, ["input_ids", "attention_mask"],
                ["hashtag_logits", "mask_hidden_state", "hashtag_probabilities"], opset,
                {"hashtag_logits": ["batch_size", meta["num_hashtags"]], "mask_hidden_state": ["batch_size", cfg.hidden_size],
                 "hashtag_probabilities": ["batch_size", meta["num_hashtags"]]})
    written = ["config.json", "model.safetensors", *(["ngram.safetensors"] if head is not None else []), "tokenizer.json",
               "hashtags.json", "train_config.json", "onnx/model.onnx", "onnx/recommender.onnx"]
    if int8:
        q = quantize_dynamic(onnx.load(rec_path))
        onnx.checker.check_model(q, full_check=True)
        onnx.save(q, os.path.join(out, "onnx", "recommender_int8.onnx"))
        written.append("onnx/recommender_int8.onnx")
    if parity:
        write_parity(parity, model, rec, ids, mask, meta)
    return written


def main(argv=None):
    p = Parser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", required=True, help="ckpt.pt written by train.py")
    p.add_argument("--data", required=True, help="the data directory the model was trained on")
    p.add_argument("--out", required=True, help="model directory to write")
    p.add_argument("--no-int8", action="store_true", help="skip onnx/recommender_int8.onnx")
    p.add_argument("--opset", type=int, default=14, help="ONNX opset (default 14)")
    p.add_argument("--parity", help="also write a JSON parity fixture (PyTorch fp32 outputs) here")
    p.add_argument("--ngram", help="RUN/ngram.pt written by ngram.py: blend that n-gram head into the recommender graphs")
    try:
        a = p.parse_args(argv)
        if not os.path.isfile(a.checkpoint):
            raise FileNotFoundError(f"{a.checkpoint} not found")
        if a.ngram and not os.path.isfile(a.ngram):
            raise FileNotFoundError(f"{a.ngram} not found")
        written = export(a.checkpoint, a.data, a.out, not a.no_int8, a.opset, a.parity, a.ngram)
    except (UsageError, DataError, FileNotFoundError, ValueError) as e:
        message = f"{'usage' if isinstance(e, UsageError) else 'error'}: {e}"
        print(json.dumps({"event": "error", "message": message}), flush=True)
        print(message, file=sys.stderr)
        return 2 if isinstance(e, UsageError) else 1
    print(json.dumps({"event": "exported", "out": os.path.abspath(a.out), "files": written}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
