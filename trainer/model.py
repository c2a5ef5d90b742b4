"""BERT for masked language modelling, with Hugging Face parameter names.

Module and parameter names follow transformers' `modeling_bert.py`
(`BertForMaskedLM`), so a `bert-base-uncased` state dict loads without missing
keys (the pooler and next-sentence head are simply not part of this model), and
the exported `model.safetensors` loads into `BertForMaskedLM` unchanged.
Post-LayerNorm, exact (erf) GELU, learned absolute positions, decoder weight
tied to the word embeddings.
"""
import math
from dataclasses import asdict, dataclass, fields

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class BertConfig:
    vocab_size: int = 30522
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    hidden_act: str = "gelu"
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    pad_token_id: int = 0
    initializer_range: float = 0.02

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, d):
        """Build from a dict (e.g. a HF config.json), ignoring unknown keys."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


PRESETS = {
    "tiny": dict(num_hidden_layers=2, hidden_size=128, num_attention_heads=2, intermediate_size=512),
    "mini": dict(num_hidden_layers=4, hidden_size=256, num_attention_heads=4, intermediate_size=1024),
    "small": dict(num_hidden_layers=4, hidden_size=512, num_attention_heads=8, intermediate_size=2048),
    "base": dict(num_hidden_layers=12, hidden_size=768, num_attention_heads=12, intermediate_size=3072),
}


def gelu(x):
    return F.gelu(x)  # exact erf form, as HF's "gelu"


ACT = {"gelu": gelu, "relu": F.relu, "gelu_new": lambda x: F.gelu(x, approximate="tanh")}


class BertEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=c.pad_token_id)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)
        self.register_buffer("position_ids", torch.arange(c.max_position_embeddings)[None], persistent=False)

    def forward(self, input_ids, token_type_ids=None):
        x = self.word_embeddings(input_ids) + self.position_embeddings(self.position_ids[:, : input_ids.shape[1]])
        if token_type_ids is None:  # all segment 0: add row 0 (cheaper, and exports without a Gather)
            x = x + self.token_type_embeddings.weight[0]
        else:
            x = x + self.token_type_embeddings(token_type_ids)
        return self.dropout(self.LayerNorm(x))


class BertSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        assert c.hidden_size % c.num_attention_heads == 0, "hidden_size must be divisible by num_attention_heads"
        self.n_head = c.num_attention_heads
        self.head_dim = c.hidden_size // c.num_attention_heads
        self.query = nn.Linear(c.hidden_size, c.hidden_size)
        self.key = nn.Linear(c.hidden_size, c.hidden_size)
        self.value = nn.Linear(c.hidden_size, c.hidden_size)
        self.dropout = nn.Dropout(c.attention_probs_dropout_prob)
        self.use_sdpa = False  # set by the trainer on PyTorch 2.x; export always uses the explicit path

    def forward(self, x, mask_bias, rows=None):
        """Self-attention over x [B, L, H]; with `rows` [B, R, H] (some of x's rows), only those rows
        query, and the output is [B, R, H]: what the full output has at those rows."""
        B, L, _ = x.shape
        rows = x if rows is None else rows
        R = rows.shape[1]
        q = self.query(rows).view(B, R, self.n_head, self.head_dim).transpose(1, 2)
        k, v = (m(x).view(B, L, self.n_head, self.head_dim).transpose(1, 2) for m in (self.key, self.value))
        if self.use_sdpa:
            p = self.dropout.p if self.training else 0.0
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask_bias.to(q.dtype), dropout_p=p)
        else:
            att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim) + mask_bias
            y = torch.matmul(self.dropout(att.softmax(-1)).to(v.dtype), v)
        return y.transpose(1, 2).reshape(B, R, self.n_head * self.head_dim)


class BertSelfOutput(nn.Module):  # also used as BertOutput (same structure, same names)
    def __init__(self, c, d_in):
        super().__init__()
        self.dense = nn.Linear(d_in, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, h, residual):
        return self.LayerNorm(self.dropout(self.dense(h)) + residual)


class BertAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = BertSelfAttention(c)
        self.output = BertSelfOutput(c, c.hidden_size)

    def forward(self, x, mask_bias, rows=None):
        return self.output(self.self(x, mask_bias, rows), x if rows is None else rows)


class BertIntermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.intermediate_size)
        self.act = ACT[c.hidden_act]

    def forward(self, x):
        return self.act(self.dense(x))


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = BertAttention(c)
        self.intermediate = BertIntermediate(c)
        self.output = BertSelfOutput(c, c.intermediate_size)

    def forward(self, x, mask_bias, rows=None):
        """x [B, L, H] → [B, L, H]; with `rows` [B, R, H] (some of x's rows), only those rows' outputs."""
        a = self.attention(x, mask_bias, rows)
        return self.output(self.intermediate(a), a)


class BertEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList(BertLayer(c) for _ in range(c.num_hidden_layers))

    def forward(self, x, mask_bias):
        for layer in self.layer:
            x = layer(x, mask_bias)
        return x


class BertModel(nn.Module):
    """Embeddings + encoder (no pooler: BertForMaskedLM does not use one)."""

    def __init__(self, c):
        super().__init__()
        self.embeddings = BertEmbeddings(c)
        self.encoder = BertEncoder(c)

    @staticmethod
    def attention_bias(attention_mask):
        """Additive bias [B, 1, 1, L]: 0 where attended, -10000 on padding (as the original BERT; finite
        in fp16/bf16 and exp(-10000) == 0 in fp32)."""
        return (1.0 - attention_mask[:, None, None, :].float()) * -10000.0

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        return self.encoder(self.embeddings(input_ids, token_type_ids), self.attention_bias(attention_mask))


class BertPredictionHeadTransform(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.act = ACT[c.hidden_act]
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, x):
        return self.LayerNorm(self.act(self.dense(x)))


class BertLMPredictionHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transform = BertPredictionHeadTransform(c)
        self.decoder = nn.Linear(c.hidden_size, c.vocab_size, bias=False)  # weight tied to word embeddings
        self.bias = nn.Parameter(torch.zeros(c.vocab_size))

    def forward(self, h):
        return self.decoder(self.transform(h)) + self.bias


class BertOnlyMLMHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.predictions = BertLMPredictionHead(c)

    def forward(self, h):
        return self.predictions(h)


class BertForMaskedLM(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.bert = BertModel(config)
        self.cls = BertOnlyMLMHead(config)
        self.apply(self._init_weights)
        self.tie_weights()

    def tie_weights(self):
        self.cls.predictions.decoder.weight = self.bert.embeddings.word_embeddings.weight

    def _init_weights(self, m):  # as HF BertPreTrainedModel._init_weights
        std = self.config.initializer_range
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, std)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, 0.0, std)
            if m.padding_idx is not None:
                with torch.no_grad():
                    m.weight[m.padding_idx].zero_()
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)

    def set_sdpa(self, enabled):
        """Use F.scaled_dot_product_attention (PyTorch >= 2.0) for training; no-op if unavailable."""
        enabled = bool(enabled) and hasattr(F, "scaled_dot_product_attention")
        for layer in self.bert.encoder.layer:
            layer.attention.self.use_sdpa = enabled
        return enabled

    def hidden_states(self, input_ids, attention_mask=None, token_type_ids=None):
        """Final encoder hidden states [batch, seq, hidden] (before the MLM head)."""
        return self.bert(input_ids, attention_mask, token_type_ids)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, masked_positions=None, labels=None):
        """Without labels/masked_positions: full logits [batch, seq, vocab].

        With `masked_positions` (bool [batch, seq]) or `labels` (-100 = ignore): the MLM head runs only
        at the selected positions and the logits are [n_selected, vocab] (row-major order of the
        positions). With labels, returns (loss, logits); the loss is the mean cross-entropy over them.
        """
        h = self.bert(input_ids, attention_mask, token_type_ids)
        if labels is None and masked_positions is None:
            return self.cls(h)
        if masked_positions is None:
            masked_positions = labels != -100
        logits = self.cls(h[masked_positions])
        if labels is None:
            return logits
        if logits.shape[0] == 0:  # nothing masked: a zero loss that still reaches every parameter (DDP)
            return self.cls(h[:, 0]).float().sum() * 0.0, logits
        return F.cross_entropy(logits.float(), labels[masked_positions]), logits
