"""
Generation speed of BWD, FWD and IBP pairs with 1 and 2 local Dask
workers, side by side in one run.

    python benchmarks/data_speed.py [--bwd 3000] [--fwd 60] [--ibp 30]

Each configuration generates into a fresh temporary folder with the real
command's code path (``sage_neural.data.generate.generate``) and reports
wall-clock pairs per second (cluster start included), pairs per
worker-second (time inside the chunk function on the workers; for FWD and
IBP that includes starting the fresh process each chunk runs in), the share
of samples kept, and the speed-up of 2 workers over 1. A count of 0 skips
that kind.
"""

import argparse
import tempfile
import time

from sage_neural.data.generate import generate


def run(kind, count, workers, chunk_size, seconds):
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        manifest = generate(folder, kind, count, workers=workers,
                            chunk_size=chunk_size, seconds=seconds,
                            progress=False)
        wall = time.perf_counter() - start
    stored = sum(s["count"] for s in manifest["shards"])
    return stored, wall, manifest["worker_seconds"], manifest["attempts"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--bwd", type=int, default=3000, help="BWD pairs")
    parser.add_argument("--fwd", type=int, default=60, help="FWD pairs")
    parser.add_argument("--ibp", type=int, default=30, help="IBP pairs")
    parser.add_argument("--seconds", type=float, default=2.0,
                        help="time limit per FWD and IBP sample")
    args = parser.parse_args()

    # Chunks of the Sage-calling kinds are smaller: each takes seconds per
    # sample, and a run stops only when its chunks in flight have finished.
    plan = (("bwd", args.bwd, 250), ("fwd", args.fwd, 20), ("ibp", args.ibp, 20))
    print(f"{'kind':<5}{'workers':>8}{'pairs':>7}{'drawn':>7}{'kept':>6}"
          f"{'wall s':>8}{'pairs/s':>9}{'per worker-s':>14}")
    speedups = []
    for kind, count, chunk in plan:
        if count <= 0:
            continue
        rates = {}
        for workers in (1, 2):
            stored, wall, busy, attempts = run(kind, count, workers, chunk,
                                               args.seconds)
            rates[workers] = stored / wall
            print(f"{kind:<5}{workers:>8}{stored:>7}{attempts:>7}"
                  f"{stored / attempts:>6.0%}{wall:>8.1f}{stored / wall:>9.2f}"
                  f"{stored / busy:>14.2f}", flush=True)
        speedups.append((kind, rates[2] / rates[1]))
    for kind, speedup in speedups:
        print(f"{kind}: speed-up from 1 to 2 workers {speedup:.2f}x "
              "(wall clock, including cluster start)")


if __name__ == "__main__":
    main()
