"""
Encode + decode throughput of the compiled codec and its pure-Python twin,
side by side in one run, on the same token sequences.

    python benchmarks/codec_speed.py [--sequences 100000] [--repeat 3]

The sequences are random expressions from the data sampler (as the training
data will be), tokenized once; each codec then encodes them into a padded
batch and decodes the batch back, and the best of ``--repeat`` runs counts.
"""

import argparse
import time

from sage_neural.data.sampler import ExpressionSampler, SamplerConfig
from sage_neural.tokens import codec


def make_sequences(count, seed=0):
    sampler = ExpressionSampler(SamplerConfig(leaf_weights={
        "variable": 3, "parameter": 1, "constant": 1, "integer": 2},
        max_int=100), seed=seed)
    rng = sampler.rng
    return [sampler.sample(rng.randint(1, 15)) for _ in range(count)]


def best_time(c, sequences, batch, repeat):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for i in range(0, len(sequences), batch):
            ids, _ = c.encode_batch(sequences[i:i + batch], bos=True)
            decoded = c.decode_batch(ids)
        best = min(best, time.perf_counter() - start)
    assert decoded == sequences[i:i + batch]
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--sequences", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    sequences = make_sequences(args.sequences)
    tokens = sum(map(len, sequences))
    print(f"{len(sequences)} sequences, {tokens} tokens "
          f"(mean length {tokens / len(sequences):.1f}), batches of {args.batch}")
    times = {}
    for name, native in (("native (Cython)", True), ("twin (Python)", False)):
        times[name] = best_time(codec(native=native), sequences, args.batch, args.repeat)
    print(f"{'codec':<18}{'seconds':>10}{'sequences/s':>14}{'tokens/s':>14}")
    for name, seconds in times.items():
        print(f"{name:<18}{seconds:>10.3f}{len(sequences) / seconds:>14,.0f}"
              f"{tokens / seconds:>14,.0f}")
    ratio = times["twin (Python)"] / times["native (Cython)"]
    print(f"speed-up of the compiled codec: {ratio:.1f}x")


if __name__ == "__main__":
    main()
