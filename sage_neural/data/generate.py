"""
Generation of integration datasets, in chunks, on a Dask cluster.

Work is cut into chunks of ``chunk_size`` samples; chunk ``i`` draws its
random expressions from a generator seeded with ``(seed, kind, i)``, so a
chunk gives the same pairs wherever and whenever it runs. The driver collects
finished chunks, drops duplicates (by integrand, across the whole dataset),
assigns each pair to the held-out split by a hash of its integrand (so an
integrand is never in both splits), and writes one shard per chunk. A killed
run resumes from its manifest: finished chunks are skipped.

By default a local cluster of ``workers`` processes is started; with
``scheduler`` an existing Dask cluster is used instead.
"""

import hashlib
import logging
import pathlib
import time

from .. import __version__
from ..tokens import fingerprint
from . import storage
from .sampler import ExpressionSampler, SamplerConfig

logger = logging.getLogger(__name__)

# TODO: "fwd" is written (forward.forward_pair) but crashes on Dask workers:
# Maxima's ECL fails when called from a task thread ("Did you forget to call
# ecl_import_current_thread"). Integration by parts is not written yet.
KINDS = ("bwd",)


def held_out(integrand_tokens, test_permille):
    """Whether a pair belongs to the held-out split, from its integrand alone."""
    digest = hashlib.sha256(" ".join(integrand_tokens).encode()).digest()
    return int.from_bytes(digest[:4], "big") % 1000 < test_permille


def chunk_sampler(seed, kind, index, config=None):
    return ExpressionSampler(config or SamplerConfig(), seed=f"{seed}-{kind}-{index}")


def generate_chunk(kind, seed, index, size, max_ops=8, max_len=128, seconds=2.0):
    """
    The pairs of one chunk, as token lists, with the time spent making them
    (``(pairs, attempts, seconds)``). Runs on a worker.
    """
    start = time.perf_counter()
    sampler = chunk_sampler(seed, kind, index)
    pairs = []
    if kind == "bwd":
        from .backward import backward_pair
        for _ in range(size):
            pair = backward_pair(sampler.sample(sampler.rng.randint(1, max_ops)), max_len)
            if pair is not None:
                pairs.append(pair)
    elif kind == "fwd":  # unreachable from generate() until the TODO above
        from .forward import forward_pair
        for _ in range(size):
            pair = forward_pair(sampler.sample(sampler.rng.randint(1, max_ops)), seconds)
            if pair is not None and max(map(len, pair)) <= max_len:
                pairs.append(pair)
    else:
        raise ValueError(f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}")
    return pairs, size, time.perf_counter() - start


def _import_sage():
    import sage.all__sagemath_symbolics  # noqa: F401


def _client(workers, scheduler):
    """
    A Dask client, with Sage imported on every worker first: Sage installs
    signal handlers when imported, which only the main thread may do, and
    Dask runs tasks in other threads.
    """
    from dask.distributed import Client, LocalCluster
    from distributed.diagnostics.plugin import WorkerPlugin

    class ImportSage(WorkerPlugin):
        name = "sage_neural-import-sage"

        def setup(self, worker):
            _import_sage()

    if scheduler:
        client, cluster = Client(scheduler), None
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                               processes=True, dashboard_address=None)
        client = Client(cluster)
    client.register_plugin(ImportSage())
    return client, cluster


def generate(out, kind, count, workers=1, seed=0, chunk_size=200, max_ops=8,
             max_len=128, test_permille=10, scheduler=None, progress=True):
    """
    Generate at least ``count`` distinct pairs of ``kind`` into the folder
    ``out`` (resuming what is there); returns the manifest.
    """
    from dask.distributed import as_completed
    from tqdm import tqdm

    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}")
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    settings = {"kind": kind, "seed": seed, "chunk_size": chunk_size,
                "max_ops": max_ops, "max_len": max_len,
                "test_permille": test_permille}
    manifest = storage.read_manifest(out)
    if manifest is None:
        manifest = {"settings": settings, "shards": [], "package": __version__,
                    "vocabulary": fingerprint(), "worker_seconds": 0.0,
                    "attempts": 0}
    elif manifest["settings"] != settings:
        raise ValueError(
            f"{out} holds a dataset made with other settings "
            f"({manifest['settings']}): choose another --out to change them")

    # Integrands already stored, for deduplication across the whole dataset.
    seen = set()
    for shard in manifest["shards"]:
        pairs, _ = storage.read_shard(out / shard["file"])
        seen.update(" ".join(p[0]) for p in pairs)
    done = {s["index"] for s in manifest["shards"]}
    stored = sum(s["count"] for s in manifest["shards"])

    bar = tqdm(total=count, initial=min(stored, count), unit="pair",
               disable=not progress, desc=f"{kind} pairs")
    client, cluster = _client(workers, scheduler)
    try:
        n_workers = max(1, len(client.scheduler_info()["workers"]))
        next_index = 0

        def submit():
            nonlocal next_index
            while next_index in done:
                next_index += 1
            future = client.submit(generate_chunk, kind, seed, next_index, chunk_size,
                                   max_ops, max_len, key=f"{kind}-{seed}-{next_index}",
                                   pure=False)
            future.index = next_index
            next_index += 1
            return future

        running = as_completed([submit() for _ in range(2 * n_workers)])
        empty_chunks = 0
        for future in running:
            pairs, attempts, seconds = future.result()
            # A generator that keeps producing nothing is broken, not unlucky.
            empty_chunks = 0 if pairs else empty_chunks + 1
            if empty_chunks >= 4 * n_workers:
                raise RuntimeError(
                    f"{empty_chunks} chunks in a row gave no {kind} pairs: "
                    "check the worker logs")
            fresh = []
            for pair in pairs:
                key = " ".join(pair[0])
                if key not in seen:
                    seen.add(key)
                    fresh.append(pair)
            test = [held_out(p[0], test_permille) for p in fresh]
            name = storage.write_shard(out, future.index, fresh, test)
            manifest["shards"].append({"index": future.index, "file": name,
                                       "count": len(fresh), "test": sum(test)})
            manifest["worker_seconds"] += seconds
            manifest["attempts"] += attempts
            storage.write_manifest(out, manifest)
            stored += len(fresh)
            bar.update(min(len(fresh), max(0, count - bar.n)))
            # Chunks already running when the count is reached still finish
            # into the dataset.
            if stored < count:
                running.add(submit())
    finally:
        bar.close()
        client.close()
        if cluster is not None:
            cluster.close()
    return manifest
