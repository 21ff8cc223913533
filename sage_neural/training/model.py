"""
A small encoder-decoder transformer for prefix-token translation, written
out by hand (pre-layer-norm, learned positions) so that the decoder's
key/value cache is explicit tensors that export cleanly to ONNX.

Shapes: B batch, S source length, T target length, D model width, H heads,
E = D / H head width, L decoder layers, V vocabulary size.
"""

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn import functional as F


@dataclass
class ModelConfig:
    vocab_size: int
    d_model: int = 256
    heads: int = 4
    encoder_layers: int = 3
    decoder_layers: int = 3
    ff_width: int = 1024
    max_len: int = 256
    dropout: float = 0.1

    def to_dict(self):
        return asdict(self)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads, self.width = c.heads, c.d_model // c.heads
        self.q = nn.Linear(c.d_model, c.d_model)
        self.k = nn.Linear(c.d_model, c.d_model)
        self.v = nn.Linear(c.d_model, c.d_model)
        self.out = nn.Linear(c.d_model, c.d_model)
        self.dropout = c.dropout

    def split(self, x):
        # (B, N, D) -> (B, H, N, E)
        B, N, _ = x.shape
        return x.view(B, N, self.heads, self.width).transpose(1, 2)

    def keys_values(self, x):
        return self.split(self.k(x)), self.split(self.v(x))

    def attend(self, x, k, v, mask):
        """``x`` (B, N, D) attends to ``k``, ``v`` (B, H, M, E); ``mask`` is
        additive, broadcastable to (B, H, N, M)."""
        q = self.split(self.q(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.width)   # (B, H, N, M)
        weights = torch.softmax(scores + mask, dim=-1)
        weights = F.dropout(weights, self.dropout, self.training)
        y = (weights @ v).transpose(1, 2)                           # (B, N, H, E)
        return self.out(y.reshape(x.shape[0], x.shape[1], -1))


class FeedForward(nn.Sequential):
    def __init__(self, c):
        super().__init__(nn.Linear(c.d_model, c.ff_width), nn.GELU(),
                         nn.Linear(c.ff_width, c.d_model), nn.Dropout(c.dropout))


class EncoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(c.d_model), nn.LayerNorm(c.d_model)
        self.attention, self.ff = Attention(c), FeedForward(c)
        self.drop = nn.Dropout(c.dropout)

    def forward(self, x, mask):
        h = self.norm1(x)
        k, v = self.attention.keys_values(h)
        x = x + self.drop(self.attention.attend(h, k, v, mask))
        return x + self.ff(self.norm2(x))


class DecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.norm1 = nn.LayerNorm(c.d_model)
        self.norm2 = nn.LayerNorm(c.d_model)
        self.norm3 = nn.LayerNorm(c.d_model)
        self.self_attention, self.cross_attention = Attention(c), Attention(c)
        self.ff = FeedForward(c)
        self.drop = nn.Dropout(c.dropout)

    def forward(self, x, self_k, self_v, self_mask, cross_k, cross_v, cross_mask):
        x = x + self.drop(self.self_attention.attend(self.norm1(x), self_k, self_v, self_mask))
        x = x + self.drop(self.cross_attention.attend(self.norm2(x), cross_k, cross_v, cross_mask))
        return x + self.ff(self.norm3(x))


NEG = -1e9


class Seq2Seq(nn.Module):
    """
    Encoder-decoder over one shared vocabulary, that of the token language
    named ``language``. The token embedding is tied with the output
    projection.
    """

    def __init__(self, config, language="integration"):
        super().__init__()
        self.language = language
        c = self.config = config
        self.embed = nn.Embedding(c.vocab_size, c.d_model)
        self.source_position = nn.Embedding(c.max_len, c.d_model)
        self.target_position = nn.Embedding(c.max_len, c.d_model)
        self.encoder = nn.ModuleList(EncoderLayer(c) for _ in range(c.encoder_layers))
        self.decoder = nn.ModuleList(DecoderLayer(c) for _ in range(c.decoder_layers))
        self.encoder_norm = nn.LayerNorm(c.d_model)
        self.decoder_norm = nn.LayerNorm(c.d_model)
        self.drop = nn.Dropout(c.dropout)
        self.apply(self._init)

    @staticmethod
    def _init(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def parameter_count(self):
        return sum(p.numel() for p in self.parameters())

    # ------------------------------------------------------------------
    # Encoder
    # ------------------------------------------------------------------

    def encode(self, source, source_mask):
        """
        ``source`` (B, S) ids, ``source_mask`` (B, S) 1 for tokens, 0 for
        padding. Returns the cross-attention keys and values of every
        decoder layer, each (L, B, H, S, E), and the additive mask (B, 1, 1, S).
        """
        S = source.shape[1]
        positions = torch.arange(S, device=source.device)
        x = self.drop(self.embed(source) + self.source_position(positions))
        mask = (1.0 - source_mask[:, None, None, :].to(x.dtype)) * NEG    # (B, 1, 1, S)
        for layer in self.encoder:
            x = layer(x, mask)
        memory = self.encoder_norm(x)                                       # (B, S, D)
        keys, values = zip(*(layer.cross_attention.keys_values(memory)
                             for layer in self.decoder))
        return torch.stack(keys), torch.stack(values), mask

    # ------------------------------------------------------------------
    # Decoder
    # ------------------------------------------------------------------

    def decode(self, target, cross_k, cross_v, cross_mask):
        """
        Teacher-forced decoding without a cache: ``target`` (B, T) ids.
        Returns logits (B, T, V).
        """
        T = target.shape[1]
        positions = torch.arange(T, device=target.device)
        x = self.drop(self.embed(target) + self.target_position(positions))
        causal = torch.triu(torch.full((T, T), NEG, device=target.device), diagonal=1)
        for i, layer in enumerate(self.decoder):
            k, v = layer.self_attention.keys_values(layer.norm1(x))
            x = layer(x, k, v, causal, cross_k[i], cross_v[i], cross_mask)
        return self.decoder_norm(x) @ self.embed.weight.T

    def decode_step(self, token, position, past_k, past_v, cross_k, cross_v, cross_mask):
        """
        One decoding step with a key/value cache.

        ``token`` (B, 1) ids at ``position`` (a 0-d tensor); ``past_k``,
        ``past_v`` (L, B, H, P, E) from the previous steps (P may be 0).
        Returns logits (B, V) and the cache extended to P + 1.
        """
        x = self.embed(token) + self.target_position(position.view(1))      # (B, 1, D)
        new_k, new_v = [], []
        for i, layer in enumerate(self.decoder):
            k, v = layer.self_attention.keys_values(layer.norm1(x))       # (B, H, 1, E)
            k = torch.cat([past_k[i], k], dim=2)
            v = torch.cat([past_v[i], v], dim=2)
            new_k.append(k)
            new_v.append(v)
            x = layer(x, k, v, torch.zeros((), dtype=x.dtype), cross_k[i], cross_v[i],
                      cross_mask)
        logits = (self.decoder_norm(x) @ self.embed.weight.T)[:, 0]        # (B, V)
        return logits, torch.stack(new_k), torch.stack(new_v)

    def forward(self, source, source_mask, target_in):
        cross_k, cross_v, cross_mask = self.encode(source, source_mask)
        return self.decode(target_in, cross_k, cross_v, cross_mask)
