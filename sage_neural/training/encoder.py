"""
Training of the sequence encoder behind ``oeis_neighbours``.

    python -m sage_neural.training.encoder --stripped stripped.gz \\
        [--minutes 14] [--work work/oeis-encoder] [--export models]

The encoder maps the first terms of a sequence to a unit vector. It learns
by contrast (InfoNCE): in a batch of sequences from the training split of
the OEIS (:func:`~sage_neural.sequences.oeis.split_of`), each sequence's
first terms must lie nearer to a second view of the same sequence than to
any other sequence's view. A view is a window of the sequence at an offset,
or a window of a transform of it: a constant multiple, the negation, the
differences, the partial sums, the binomial transform or its inverse, a
bisection. The test split is never read.

The views are featurised once (a few minutes) and cached in the work
folder; training stops after ``--minutes`` and writes a checkpoint every
``--checkpoint-every`` steps, so that the same command resumes a killed
run. At the end the encoder is exported to ``EXPORT/oeis_encoder.onnx``
with its metadata file.
"""

import argparse
import hashlib
import json
import logging
import math
import pathlib
import random
import sys
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from tqdm import tqdm

from ..sequences import index as encoding
from ..sequences.neighbours import TRANSFORMS
from ..sequences.oeis import StrippedReader

logger = logging.getLogger(__name__)

#: Positions kept per view: a window of up to WINDOW terms at an offset
#: of up to MAX_OFFSET.
MAX_OFFSET = 16
POSITIONS = encoding.WINDOW + MAX_OFFSET
#: Shortest window shown in training.
MIN_TERMS = 6
#: Views per sequence: the sequence itself and transforms of it.
VIEWS = 3

MULTIPLES = (2, 3, 4, 5, 6, 10, -1, -2, -3)


@dataclass
class EncoderConfig:
    features: int = encoding.FEATURES
    width: int = 128
    dilations: tuple = (1, 2, 4, 8, 1, 2, 4)
    dimension: int = 128

    def to_dict(self):
        return asdict(self)


class ConvEncoder(nn.Module):
    """
    Per-term features -> residual dilated 1-D convolutions -> masked mean
    and max over the terms -> a unit vector.
    """

    def __init__(self, config):
        super().__init__()
        self.config = config
        c = config.width
        self.embed = nn.Linear(config.features, c)
        self.convs = nn.ModuleList(
            nn.Conv1d(c, c, 3, padding=d, dilation=d) for d in config.dilations)
        self.norms = nn.ModuleList(nn.LayerNorm(c) for _ in config.dilations)
        self.head = nn.Sequential(nn.Linear(2 * c, c), nn.GELU(),
                                  nn.Linear(c, config.dimension))

    def forward(self, features, mask):
        m = mask.unsqueeze(-1)                                   # (B, N, 1)
        x = self.embed(features) * m                             # (B, N, C)
        for conv, norm in zip(self.convs, self.norms):
            h = F.gelu(norm(x)).transpose(1, 2)                  # (B, C, N)
            x = x + conv(h).transpose(1, 2) * m
        count = m.sum(dim=1).clamp(min=1.0)                      # (B, 1)
        mean = x.sum(dim=1) / count                              # (B, C)
        peak = (x + (m - 1.0) * 1e4).max(dim=1).values           # (B, C)
        v = self.head(torch.cat([mean, peak], dim=-1))           # (B, D)
        return F.normalize(v, dim=-1)


# ---------------------------------------------------------------------------
# Views


def random_transform(terms, rng):
    """A random transform of ``terms`` (Python integers), long enough to window."""
    kind = rng.random()
    if kind < 0.2:
        c = rng.choice(MULTIPLES)
        out = [c * a for a in terms]
    else:
        name = rng.choice([n for n in TRANSFORMS if n != "terms"])
        source = terms if "bisection" in name else terms[:POSITIONS + 1]
        out = TRANSFORMS[name](list(source))
        if rng.random() < 0.2:
            out = [rng.choice(MULTIPLES) * a for a in out]
    return out


def build_views(stripped, seed=0, limit=None):
    """
    The training views, as ``(features, counts)``: local features
    ``(S, VIEWS, POSITIONS, FEATURES)`` in float16 and the number of terms
    of each view ``(S, VIEWS)``. View 0 is the sequence itself.
    """
    rng = random.Random(seed)
    sequences = [s.terms for s in StrippedReader(stripped, split="train",
                                                 min_terms=MIN_TERMS + 2)]
    if limit:
        rng.shuffle(sequences)
        sequences = sequences[:limit]
    features = np.zeros((len(sequences), VIEWS, POSITIONS, encoding.FEATURES),
                        dtype=np.float16)
    counts = np.zeros((len(sequences), VIEWS), dtype=np.int16)
    for i, terms in enumerate(tqdm(sequences, desc="views", unit="seq",
                                   mininterval=10)):
        views = [list(terms)]
        while len(views) < VIEWS:
            view = random_transform(list(terms), rng)
            # Transforms of constant sequences are often all zero.
            if len(view) >= MIN_TERMS and any(view):
                views.append(view)
            else:
                views.append(list(terms))
        for j, view in enumerate(views):
            features[i, j] = encoding.local_features(view, POSITIONS)
            counts[i, j] = min(len(view), POSITIONS)
    return features, counts


def sample_batch(features, counts, rows, rng, anchor=False):
    """
    Model input ``(features, mask)`` for the sequences ``rows``: the
    first terms of the sequence itself when ``anchor``, else a random
    window of a random view.
    """
    b = len(rows)
    if anchor:
        views = np.zeros(b, dtype=np.int64)
        offsets = np.zeros(b, dtype=np.int64)
        lengths = np.full(b, encoding.WINDOW)
    else:
        views = rng.integers(0, VIEWS, b)
        n = counts[rows, views].astype(np.int64)
        most = np.clip(n - MIN_TERMS, 0, MAX_OFFSET)
        offsets = np.where(rng.random(b) < 0.5, 0,
                           (rng.random(b) * (most + 1)).astype(np.int64))
        lengths = rng.integers(MIN_TERMS, encoding.WINDOW + 1, b)
    positions = offsets[:, None] + np.arange(encoding.WINDOW)[None, :]
    x = features[rows[:, None], views[:, None], positions].astype(np.float32)
    keep = np.arange(encoding.WINDOW)[None, :] < lengths[:, None]
    x *= keep[:, :, None]
    return encoding.finish_features(x)


def info_nce(a, b, temperature):
    """Symmetric InfoNCE of two batches of unit vectors, row i matching row i."""
    logits = a @ b.T / temperature                               # (B, B)
    target = torch.arange(len(a))
    return 0.5 * (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target))


# ---------------------------------------------------------------------------
# Export


class _Export(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, features, mask):
        return self.model(features, mask)


def export(model, out_dir, extra=None):
    """Write ``oeis_encoder.onnx`` and ``oeis_encoder.json``; returns the json path."""
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.eval()
    onnx_path = out / "oeis_encoder.onnx"
    features, mask = encoding.featurise([[1, 2, 3, 5, 8, 13], [1, 4, 9]])
    torch.onnx.export(
        _Export(model), (torch.from_numpy(features), torch.from_numpy(mask)),
        onnx_path, input_names=["features", "mask"], output_names=["vectors"],
        dynamic_axes={"features": {0: "batch"}, "mask": {0: "batch"},
                      "vectors": {0: "batch"}},
        opset_version=17, dynamo=False)
    metadata = {"format": encoding.ENCODER_FORMAT, "format_version": 1,
                "file": onnx_path.name,
                "sha256": hashlib.sha256(onnx_path.read_bytes()).hexdigest(),
                "window": encoding.WINDOW, "features": encoding.FEATURES,
                "dimension": model.config.dimension,
                "model": model.config.to_dict(),
                "parameters": sum(p.numel() for p in model.parameters())}
    metadata.update(extra or {})
    meta_path = out / "oeis_encoder.json"
    meta_path.write_text(json.dumps(metadata, indent=1, sort_keys=True) + "\n")
    return meta_path


# ---------------------------------------------------------------------------
# Training


def train(args):
    torch.set_num_threads(args.threads)
    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)

    # The views are the slow part to make: cache them.
    cache = work / f"views-seed{args.seed}-limit{args.limit or 0}.npz"
    if cache.exists():
        data = np.load(cache)
        features, counts = data["features"], data["counts"]
    else:
        began = time.time()
        features, counts = build_views(args.stripped, args.seed, args.limit)
        np.savez(cache, features=features, counts=counts)
        print(f"{len(features)} training sequences, views made in "
              f"{time.time() - began:.0f} s")

    torch.manual_seed(args.seed)
    config = EncoderConfig(width=args.width, dimension=args.dimension)
    model = ConvEncoder(config)
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    checkpoint = work / "last.pt"
    step, seen, spent = 0, 0, 0.0
    if checkpoint.exists():
        state = torch.load(checkpoint, map_location="cpu", weights_only=False)
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        step, seen, spent = state["step"], state["seen"], state["seconds"]
        print(f"resuming from step {step} ({spent / 60:.1f} minutes done)")

    rng = np.random.default_rng(args.seed + step)
    budget = args.minutes * 60.0
    began = time.time() - spent
    losses = []
    bar = tqdm(total=int(budget), initial=int(spent), unit="s", desc="training",
               mininterval=10)

    def save():
        torch.save({"model": model.state_dict(), "optimiser": optimiser.state_dict(),
                    "config": config.to_dict(), "step": step, "seen": seen,
                    "seconds": time.time() - began, "args": vars(args)}, checkpoint)

    model.train()
    while time.time() - began < budget:
        # Warm-up, then cosine decay over the time budget.
        fraction = (time.time() - began) / budget
        warm = min(1.0, (step + 1) / 100)
        lr = args.lr * warm * 0.5 * (1 + math.cos(math.pi * fraction))
        for group in optimiser.param_groups:
            group["lr"] = lr

        rows = rng.choice(len(features), args.batch, replace=False)
        use_anchor = rng.random() < 0.75
        xa, ma = sample_batch(features, counts, rows, rng, anchor=use_anchor)
        xb, mb = sample_batch(features, counts, rows, rng)
        a = model(torch.from_numpy(xa), torch.from_numpy(ma))
        b = model(torch.from_numpy(xb), torch.from_numpy(mb))
        loss = info_nce(a, b, args.temperature)
        optimiser.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()

        step += 1
        seen += len(rows)
        losses.append(loss.item())
        bar.n = int(time.time() - began)
        bar.set_postfix(step=step, loss=f"{np.mean(losses[-50:]):.3f}")
        if step % args.checkpoint_every == 0:
            save()
    bar.close()
    save()
    final = float(np.mean(losses[-100:])) if losses else float("nan")
    print(f"trained {step} steps, {seen} pairs, {(time.time() - began) / 60:.1f} "
          f"minutes, final loss {final:.3f}")

    if args.export:
        meta = export(model, args.export, {
            "trained_steps": step, "trained_pairs": seen,
            "training_sequences": len(features),
            "training_minutes": round((time.time() - began) / 60, 1),
            "final_loss": round(final, 4)})
        print(f"wrote {meta}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sage_neural.training.encoder",
                                     description=__doc__.splitlines()[1])
    parser.add_argument("--stripped", required=True, help="the OEIS's stripped.gz")
    parser.add_argument("--work", default="work/oeis-encoder",
                        help="views cache and checkpoints")
    parser.add_argument("--export", help="write the ONNX encoder into this folder")
    parser.add_argument("--minutes", type=float, default=14.0)
    parser.add_argument("--batch", type=int, default=384)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--temperature", type=float, default=0.05)
    parser.add_argument("--width", type=int, default=128)
    parser.add_argument("--dimension", type=int, default=128)
    parser.add_argument("--limit", type=int, default=0,
                        help="train on this many sequences (default: all)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--checkpoint-every", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    return train(args)


if __name__ == "__main__":
    sys.exit(main())
