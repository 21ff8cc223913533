"""
Command line for training data.

    python -m sage_neural.data generate --kind {bwd,fwd,ibp,recurrence} --count N
        --out DIR --workers W [--seconds 2]
    python -m sage_neural.data stats DIR [--sage-sample 50]
"""

import argparse
import collections
import json
import statistics
import sys


def _stats(args):
    from ..tokens.vocabulary import BINARY_OPERATORS, FUNCTIONS
    from .storage import iter_pairs, read_manifest

    manifest = read_manifest(args.folder)
    pairs = list(iter_pairs(args.folder))
    if not pairs:
        print("the dataset is empty")
        return 1
    test = sum(1 for _ in iter_pairs(args.folder, "test"))
    print(f"{len(pairs)} pairs ({test} held out) of kind "
          f"{manifest['settings']['kind']}, vocabulary {manifest['vocabulary']}")
    if manifest.get("worker_seconds"):
        print(f"generation: {manifest['attempts']} samples drawn, "
              f"{len(pairs) / manifest['worker_seconds']:.1f} pairs per worker-second")
    for side, name in ((0, "integrand"), (1, "antiderivative")):
        lengths = sorted(len(p[side]) for p in pairs)
        q = statistics.quantiles(lengths, n=20)
        print(f"{name} length: mean {statistics.fmean(lengths):.1f}, median "
              f"{statistics.median(lengths):.0f}, 5%-95% {q[0]:.0f}-{q[-1]:.0f}, "
              f"max {lengths[-1]}")
    operators = collections.Counter(
        t for p in pairs for t in p[0] if t in FUNCTIONS or t in BINARY_OPERATORS)
    print("operators in integrands: " + ", ".join(
        f"{t} {n}" for t, n in operators.most_common()))
    if args.sage_sample:
        from .sage_baseline import sage_failure_share
        share, tried = sage_failure_share(pairs, args.sage_sample, args.seconds)
        print(f"Sage's integrate fails or needs over {args.seconds:g} s on "
              f"{share:.0%} of {tried} sampled integrands")
    return 0


def main(argv=None):
    from .generate import KINDS

    parser = argparse.ArgumentParser(prog="python -m sage_neural.data",
                                     description="training data for sage_neural")
    commands = parser.add_subparsers(dest="command", required=True)

    g = commands.add_parser("generate", help="generate verified integration pairs")
    g.add_argument("--kind", choices=KINDS, required=True,
                   help="bwd: differentiate random antiderivatives; fwd: "
                        "integrate random integrands with Sage; ibp: integrate "
                        "by parts, from backward pairs and Sage; recurrence: "
                        "random recurrences and their first terms (sequence model)")
    g.add_argument("--count", type=int, required=True, help="pairs to store")
    g.add_argument("--out", required=True, help="dataset folder (resumed if present)")
    g.add_argument("--workers", type=int, default=1, help="local worker processes")
    g.add_argument("--scheduler", help="address of an existing Dask scheduler")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--chunk-size", type=int, default=200)
    g.add_argument("--max-ops", type=int, default=8)
    g.add_argument("--max-len", type=int, default=128)
    g.add_argument("--test-permille", type=int, default=10,
                   help="held-out share, in thousandths")
    g.add_argument("--seconds", type=float, default=2.0,
                   help="fwd and ibp: time limit per sample for Sage's integrator")

    s = commands.add_parser("stats", help="describe a dataset")
    s.add_argument("folder")
    s.add_argument("--sage-sample", type=int, default=50,
                   help="integrands to try with Sage's integrate (0: skip)")
    s.add_argument("--seconds", type=float, default=5.0)

    args = parser.parse_args(argv)
    if args.command == "stats":
        return _stats(args)

    from .generate import generate
    manifest = generate(args.out, args.kind, args.count, workers=args.workers,
                        seed=args.seed, chunk_size=args.chunk_size,
                        max_ops=args.max_ops, max_len=args.max_len,
                        test_permille=args.test_permille, scheduler=args.scheduler,
                        seconds=args.seconds)
    stored = sum(s["count"] for s in manifest["shards"])
    print(json.dumps({"stored": stored, "shards": len(manifest["shards"]),
                      "worker_seconds": round(manifest["worker_seconds"], 1),
                      "pairs_per_worker_second":
                          round(stored / max(manifest["worker_seconds"], 1e-9), 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
