"""Validation: MLM loss and hashtag accuracy@1/@5 on a fixed masking of val.bin."""
import math

import numpy as np
import torch
import torch.nn.functional as F

from trainer.data import derive_seed, trim
from trainer.masking import mask_tokens

VAL_SEED = 4242
VAL_HASHTAG_MASK_PROB = 1.0  # validation masks every hashtag (+ 15% of other tokens, 80/10/10)


def masked_val(val, meta, spec, o, chunk=1024):
    """Validation rows masked once with a fixed seed (hashtag mode, every hashtag masked). Row i's
    masking depends only on i, never on batch size or world size, so runs stay comparable."""
    n = len(val) if o["eval_batches"] == 0 else min(len(val), o["eval_batches"] * o["batch_size"])
    xs, ls = [], []
    for c in range(math.ceil(n / chunk)):
        ids = torch.from_numpy(np.asarray(val[c * chunk:(c + 1) * chunk]).astype(np.int64))
        g = torch.Generator().manual_seed(derive_seed(VAL_SEED, c))
        x, labels = mask_tokens(ids, spec, g, "hashtag", o["mlm_prob"], VAL_HASHTAG_MASK_PROB)
        xs.append(x), ls.append(labels)
    return (torch.cat(xs)[:n], torch.cat(ls)[:n]) if xs else (None, None)


@torch.no_grad()
def evaluate(model, val_x, val_labels, meta, spec, o, device, autocast):
    """Val MLM loss over masked positions (full vocab) and hashtag accuracy@1/@5 at masked hashtag
    positions (top-k over the hashtag ids only, as the recommender ranks them)."""
    model.eval()
    B, h0 = o["batch_size"], spec.hashtag_token_offset
    loss_sum, n_tok, hit1, hit5, n_tag = 0.0, 0, 0, 0, 0
    for i in range(0, len(val_x), B):
        x, attn = trim(val_x[i:i + B], meta["pad_token_id"])
        labels = val_labels[i:i + B, :x.shape[1]]
        sel = labels != -100
        with autocast():
            logits = model(x.to(device), attn.to(device), masked_positions=sel.to(device)).float()
        y = labels[sel].to(device)
        loss_sum += F.cross_entropy(logits, y, reduction="sum").item()
        n_tok += len(y)
        tag = spec.is_hashtag(y)
        if tag.any():
            top = logits[tag][:, h0:].topk(min(5, spec.num_hashtags), dim=-1).indices
            target = (y[tag] - h0)[:, None]
            hit1 += int((top[:, :1] == target).sum())
            hit5 += int((top == target).any(1).sum())
            n_tag += int(tag.sum())
    model.train()
    return dict(val_loss=loss_sum / max(n_tok, 1), val_hashtag_acc1=hit1 / max(n_tag, 1),
                val_hashtag_acc5=hit5 / max(n_tag, 1), val_masked_tokens=n_tok, val_masked_hashtags=n_tag)
