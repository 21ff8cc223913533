"""
Generation speed of BWD pairs with 1 and 2 local Dask workers, side by
side in one run (FWD does not run on Dask workers yet).

    python benchmarks/data_speed.py [--bwd 3000]

Each configuration generates into a fresh temporary folder with the real
command's code path (``sage_neural.data.generate.generate``) and reports
wall-clock pairs per second, pairs per worker-second (time inside the
generator on the workers), and the speed-up of 2 workers over 1.
"""

import argparse
import tempfile
import time

from sage_neural.data.generate import generate


def run(kind, count, workers, chunk_size):
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        manifest = generate(folder, kind, count, workers=workers,
                            chunk_size=chunk_size, progress=False)
        wall = time.perf_counter() - start
    stored = sum(s["count"] for s in manifest["shards"])
    return stored, wall, manifest["worker_seconds"], manifest["attempts"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--bwd", type=int, default=3000)
    args = parser.parse_args()
    print(f"{'kind':<5}{'workers':>8}{'pairs':>7}{'kept':>7}{'wall s':>8}"
          f"{'pairs/s':>9}{'per worker-s':>14}")
    for kind, count, chunk in (("bwd", args.bwd, 250),):
        rates = {}
        for workers in (1, 2):
            stored, wall, busy, attempts = run(kind, count, workers, chunk)
            rates[workers] = stored / wall
            print(f"{kind:<5}{workers:>8}{stored:>7}{stored / attempts:>7.0%}"
                  f"{wall:>8.1f}{stored / wall:>9.1f}{stored / busy:>14.1f}")
        print(f"{kind}: speed-up from 1 to 2 workers {rates[2] / rates[1]:.2f}x "
              "(wall clock, including cluster start)")


if __name__ == "__main__":
    main()
