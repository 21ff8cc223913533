"""
Beam-search latency on the CPU, with and without the key/value cache, side
by side in one run on the same integrands.

    python benchmarks/beam_latency.py --dataset work/bwd-v1 [--model integration]
        [--beam 10] [--count 30]

The integrands are held-out ones of typical length (the middle of the
length distribution); each is searched alone (batch of one), alternating
cached and uncached runs so that machine noise hits both alike.
"""

import argparse
import statistics
import time

from sage_neural.data.storage import iter_pairs
from sage_neural.runtime.beam import beam_search
from sage_neural.runtime.model import OnnxSeq2Seq


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--model", default="integration")
    parser.add_argument("--beam", type=int, default=10)
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--max-len", type=int, help="longest candidate (default: the model's)")
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()

    model = OnnxSeq2Seq(args.model, device="cpu", threads=args.threads)
    if args.max_len is None:
        args.max_len = model.metadata.get("max_target_len", 40) - 2
    pairs = sorted((p for p in iter_pairs(args.dataset, "test") if len(p[0]) <= 63),
                   key=lambda p: len(p[0]))
    middle = len(pairs) // 2
    chosen = pairs[max(0, middle - args.count // 2):][:args.count]
    lengths = [len(p[0]) for p in chosen]
    print(f"{len(chosen)} held-out integrands of {min(lengths)}-{max(lengths)} tokens, "
          f"beam {args.beam}, {model.provider}")

    beam_search(model, [chosen[0][0]], args.beam, args.max_len)  # warm-up
    times = {True: [], False: []}
    for integrand, _ in chosen:
        for cache in (True, False):
            start = time.perf_counter()
            beam_search(model, [integrand], args.beam, args.max_len, cache=cache)
            times[cache].append(time.perf_counter() - start)
    print(f"{'decoder':<10}{'median s':>10}{'p90 s':>8}")
    for cache, label in ((True, "cached"), (False, "uncached")):
        t = sorted(times[cache])
        print(f"{label:<10}{statistics.median(t):>10.3f}{t[int(0.9 * (len(t) - 1))]:>8.3f}")
    ratio = statistics.median(times[False]) / statistics.median(times[True])
    print(f"cache speed-up (median): {ratio:.1f}x")


if __name__ == "__main__":
    main()
