"""
Sharded storage of training pairs (integration or sequence pairs) as token ids.

A dataset is a folder with ``manifest.json`` and shards ``shard-NNNNN.npz``.
Each shard holds, compressed, the integrands and antiderivatives of its pairs
as one flat array of token ids each plus offsets (pair ``i`` is
``ids[offsets[i]:offsets[i + 1]]``), and a boolean ``test`` marking the
held-out split. The manifest records the settings, the seed, the package and
vocabulary versions, and the shards written so far; it is rewritten
atomically after every shard, which is what makes generation resumable.
"""

import json
import os
import pathlib

import numpy as np

from ..tokens import language

MANIFEST = "manifest.json"


def shard_name(index):
    return f"shard-{index:05d}.npz"


def _flatten(sequences, c):
    ids = [c.encode(tokens) for tokens in sequences]
    offsets = np.zeros(len(ids) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(i) for i in ids])
    dtype = np.uint8 if len(c.tokens) <= 256 else np.uint16
    flat = np.fromiter((t for row in ids for t in row), dtype=dtype,
                       count=int(offsets[-1]))
    return flat, offsets


def write_shard(folder, index, pairs, test, language_name="integration"):
    """Write the pairs of one shard, atomically; returns its file name."""
    c = language(language_name).codec()
    integrands, integrand_offsets = _flatten([p[0] for p in pairs], c)
    antiderivatives, antiderivative_offsets = _flatten([p[1] for p in pairs], c)
    path = pathlib.Path(folder) / shard_name(index)
    temporary = path.with_suffix(".tmp.npz")
    np.savez_compressed(
        temporary, integrand=integrands, integrand_offsets=integrand_offsets,
        antiderivative=antiderivatives,
        antiderivative_offsets=antiderivative_offsets,
        test=np.asarray(test, dtype=bool))
    os.replace(temporary, path)
    return path.name


def read_shard(path, language_name="integration"):
    """``(pairs, test)`` of one shard: token lists and the held-out mask."""
    c = language(language_name).codec()
    with np.load(path) as data:
        def unflatten(name):
            flat, offsets = data[name].astype(np.int64), data[name + "_offsets"]
            return [c.decode(flat[offsets[i]:offsets[i + 1]])
                    for i in range(len(offsets) - 1)]
        pairs = list(zip(unflatten("integrand"), unflatten("antiderivative")))
        return pairs, data["test"].tolist()


def read_manifest(folder):
    path = pathlib.Path(folder) / MANIFEST
    if not path.exists():
        return None
    with open(path, encoding="utf-8") as f:
        manifest = json.load(f)
    expected = language(manifest_language(manifest)).fingerprint()
    if manifest.get("vocabulary") != expected:
        raise ValueError(
            f"dataset {folder} was made with vocabulary "
            f"{manifest.get('vocabulary')}, this package has {expected}: "
            "generate it again")
    return manifest


def manifest_language(manifest):
    """The token language of a dataset (datasets before languages: integration)."""
    return manifest.get("language", "integration")


def write_manifest(folder, manifest):
    path = pathlib.Path(folder) / MANIFEST
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
    os.replace(temporary, path)


def iter_pairs(folder, split=None):
    """
    All pairs of a dataset as ``(integrand tokens, antiderivative tokens)``;
    ``split`` is ``"train"``, ``"test"`` or ``None`` for both.
    """
    manifest = read_manifest(folder)
    if manifest is None:
        raise FileNotFoundError(
            f"no dataset in {folder}: expected {MANIFEST}; make one with "
            "'python -m sage_neural.data generate'")
    for shard in sorted(manifest["shards"], key=lambda s: s["index"]):
        pairs, test = read_shard(pathlib.Path(folder) / shard["file"],
                                 manifest_language(manifest))
        for pair, held_out in zip(pairs, test):
            if split is None or (split == "test") == held_out:
                yield pair
