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

Kinds that call Sage's integrator (``fwd`` and ``ibp``) give each sample a
time limit by running it in a forked child. Dask runs tasks in a thread that
is not the main one, and Maxima's Lisp (ECL) fails in such a thread and in
any child forked from it. So on a worker, a chunk of those kinds runs in a
fresh Python process started for it, where the chunk runs in the main thread
and forking is safe; the pairs come back as JSON on its standard output.
"""

import hashlib
import json
import logging
import os
import pathlib
import subprocess
import sys
import time

from .. import __version__
from ..tokens import language
from . import storage
from .sampler import ExpressionSampler, SamplerConfig

logger = logging.getLogger(__name__)

#: bwd: differentiate random antiderivatives; fwd: integrate random
#: integrands with Sage; ibp: integrate by parts from backward pairs.
#: recurrence: random recurrences and the first terms they produce, for the
#: sequence model (no Sage involved).
KINDS = ("bwd", "fwd", "ibp", "recurrence")

#: The token language of each kind's pairs.
LANGUAGES = {"recurrence": "sequences"}

#: The kinds that call Sage's integrator under a per-sample time limit.
TIMED_KINDS = ("fwd", "ibp")


def held_out(tokens, test_permille):
    """
    Whether a pair belongs to the held-out split, from one side alone: the
    integrand of integration pairs, the formula of recurrence pairs (so that
    no held-out formula is ever trained on, whatever its initial terms).
    """
    digest = hashlib.sha256(" ".join(tokens).encode()).digest()
    return int.from_bytes(digest[:4], "big") % 1000 < test_permille


def chunk_sampler(seed, kind, index, config=None):
    return ExpressionSampler(config or SamplerConfig(), seed=f"{seed}-{kind}-{index}")


def chunk_pairs(kind, seed, index, size, max_ops=8, max_len=128, seconds=2.0):
    """
    The pairs of one chunk, as token lists, made in this process.

    For the timed kinds this forks a child per sample, which is safe only in
    the main thread of a process; :func:`generate_chunk` arranges that.
    """
    sampler = chunk_sampler(seed, kind, index)
    pairs = []
    if kind == "bwd":
        from .backward import backward_pair
        for _ in range(size):
            pair = backward_pair(sampler.sample(sampler.rng.randint(1, max_ops)), max_len)
            if pair is not None:
                pairs.append(pair)
    elif kind == "fwd":
        from .forward import forward_pair
        for _ in range(size):
            pair = forward_pair(sampler.sample(sampler.rng.randint(1, max_ops)), seconds)
            # Answers written with I (Sage integrates cos(sqrt(x)) through
            # exp(I*sqrt(x)), say) are left out, as in the other kinds.
            if (pair is not None and max(map(len, pair)) <= max_len
                    and "I" not in pair[0] and "I" not in pair[1]):
                pairs.append(pair)
    elif kind == "ibp":
        from .parts import ibp_pair
        for _ in range(size):
            antiderivative = sampler.sample(sampler.rng.randint(1, max_ops))
            # A small second factor keeps F*G' within reach of the integrator.
            factor = sampler.sample(sampler.rng.randint(1, 3))
            pair = ibp_pair(antiderivative, factor, seconds, max_len)
            if pair is not None:
                pairs.append(pair)
    elif kind == "recurrence":
        from .recurrences import RecurrenceSampler
        sampler = RecurrenceSampler(seed=f"{seed}-{kind}-{index}", max_ops=max_ops)
        for _ in range(size):
            pair = sampler.sample()
            if pair is not None and len(pair[0]) <= max_len:
                pairs.append(pair)
    else:
        raise ValueError(f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}")
    return pairs


def _chunk_in_fresh_process(kind, seed, index, size, max_ops, max_len, seconds):
    """
    :func:`chunk_pairs` run in a new Python process, whose main thread may
    fork children for the time limits; see the module's description.
    """
    arguments = json.dumps([kind, seed, index, size, max_ops, max_len, seconds])
    # Every sample is bounded by its limit; the rest is Sage's start-up and
    # the untimed steps around each sample.
    limit = 300 + size * (seconds + 5)
    result = subprocess.run(
        [sys.executable, "-m", "sage_neural.data.generate", arguments],
        capture_output=True, text=True, timeout=limit)
    if result.returncode != 0:
        raise RuntimeError(
            f"the process generating {kind} chunk {index} exited with code "
            f"{result.returncode}:\n{result.stderr[-2000:]}")
    return [tuple(pair) for pair in json.loads(result.stdout)]


def generate_chunk(kind, seed, index, size, max_ops=8, max_len=128, seconds=2.0):
    """
    The pairs of one chunk, as token lists, with the time spent making them
    (``(pairs, attempts, seconds)``). Runs on a worker.
    """
    start = time.perf_counter()
    if kind in TIMED_KINDS:
        pairs = _chunk_in_fresh_process(kind, seed, index, size, max_ops, max_len,
                                        seconds)
    else:
        pairs = chunk_pairs(kind, seed, index, size, max_ops, max_len, seconds)
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
             max_len=128, test_permille=10, scheduler=None, progress=True,
             seconds=2.0):
    """
    Generate at least ``count`` distinct pairs of ``kind`` into the folder
    ``out`` (resuming what is there); returns the manifest. ``seconds`` is
    the time limit per sample of the kinds that call Sage's integrator.
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
    if kind in TIMED_KINDS:
        settings["seconds"] = seconds
    language_name = LANGUAGES.get(kind, "integration")
    manifest = storage.read_manifest(out)
    if manifest is None:
        manifest = {"settings": settings, "shards": [], "package": __version__,
                    "language": language_name,
                    "vocabulary": language(language_name).fingerprint(),
                    "worker_seconds": 0.0, "attempts": 0}
    elif manifest["settings"] != settings:
        raise ValueError(
            f"{out} holds a dataset made with other settings "
            f"({manifest['settings']}): choose another --out to change them")

    # Integrands already stored, for deduplication across the whole dataset.
    seen = set()
    for shard in manifest["shards"]:
        pairs, _ = storage.read_shard(out / shard["file"], language_name)
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
                                   max_ops, max_len, seconds,
                                   key=f"{kind}-{seed}-{next_index}", pure=False)
            future.index = next_index
            next_index += 1
            return future

        running = as_completed([submit() for _ in range(2 * n_workers)])
        empty_chunks = 0
        for future in running:
            pairs, attempts, busy = future.result()
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
            side = 1 if kind == "recurrence" else 0
            test = [held_out(p[side], test_permille) for p in fresh]
            name = storage.write_shard(out, future.index, fresh, test, language_name)
            manifest["shards"].append({"index": future.index, "file": name,
                                       "count": len(fresh), "test": sum(test)})
            manifest["worker_seconds"] += busy
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


def _main():
    """
    Entry point of the process started by :func:`_chunk_in_fresh_process`:
    the arguments of :func:`chunk_pairs` as a JSON list in ``argv[1]``; the
    pairs, as JSON, on standard output.
    """
    results = os.fdopen(os.dup(1), "w")
    # Anything Sage, Maxima or Giac print goes to standard error instead.
    os.dup2(2, 1)
    json.dump(chunk_pairs(*json.loads(sys.argv[1])), results)
    results.close()


if __name__ == "__main__":
    _main()
