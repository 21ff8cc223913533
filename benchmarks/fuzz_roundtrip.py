"""
Round-trip fuzzing of the Sage bridge on random expression trees.

    python benchmarks/fuzz_roundtrip.py [--trees 10000] [--seed 0]

Each tree comes from the data sampler, over the whole vocabulary (all
functions, parameters, pi and e, integers up to 20). Sage builds it and
brings it to its normal form ``e``; then ``from_tokens(to_tokens(e))`` must
be identical to ``e`` (same tree, same numbers, same types). Trees that Sage
turns into something outside the vocabulary (infinities, ``real_part``, ...)
are counted as skipped, by reason. Expressions with complex-valued constants
(``I*pi`` from ``log(-2)``, say) are counted on their own lines.
"""

import argparse
import collections
import sys
import time

from tqdm import tqdm

from sage_neural import from_tokens, to_tokens
from sage_neural.bridge.sage import normalise, structure
from sage_neural.data.sampler import ExpressionSampler, SamplerConfig
from sage_neural.tokens.vocabulary import BINARY_OPERATORS, FUNCTIONS

OUTSIDE = ("Infinity", "NaN", "undefined", "real_part", "imag_part", "arg(",
           "sgn", "csgn")


def fuzz(trees, seed=0, progress=False):
    """Counts of outcomes, and up to ten mismatches for the report."""
    config = SamplerConfig(
        unary={f: 1.0 for f in FUNCTIONS},
        binary={b: 1.0 for b in BINARY_OPERATORS},
        leaf_weights={"variable": 4, "parameter": 1, "constant": 1, "integer": 3},
        parameters=("a", "b", "c"), constants=("pi", "E"), max_int=20)
    sampler = ExpressionSampler(config, seed=seed)
    counts = collections.Counter()
    mismatches = []
    x = normalise(from_tokens(["x"]))
    for _ in tqdm(range(trees), disable=not progress, unit="tree"):
        tokens = sampler.sample(sampler.rng.randint(1, 10))
        try:
            expr = normalise(from_tokens(tokens))
        except (ValueError, ArithmeticError) as error:
            counts[f"skipped: not buildable ({type(error).__name__})"] += 1
            continue
        text = str(expr)
        reason = next((w for w in OUTSIDE if w in text), None)
        if reason:
            counts[f"skipped: Sage produced {reason.rstrip('(')}"] += 1
            continue
        complex_valued = "I" in text
        try:
            tokens = to_tokens(expr, variable=x)
        except ValueError as error:
            # A clear refusal, such as an integer of thousands of digits.
            counts[f"refused by to_tokens: {str(error)[:30]}..."] += 1
            continue
        try:
            rebuilt = from_tokens(tokens, variable=x)
            same = structure(rebuilt) == structure(expr)
        except ValueError as error:
            same, rebuilt = False, error
        kind = "complex constants" if complex_valued else "real"
        counts[f"{kind}: {'identical' if same else 'MISMATCH'}"] += 1
        if not same and len(mismatches) < 10:
            mismatches.append((" ".join(tokens), text, str(rebuilt)))
    return counts, mismatches


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--trees", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    start = time.perf_counter()
    counts, mismatches = fuzz(args.trees, args.seed, progress=True)
    print(f"{args.trees} random trees, seed {args.seed}, "
          f"{time.perf_counter() - start:.0f} s")
    for key in sorted(counts):
        print(f"  {key:<45}{counts[key]:>7}")
    for tokens, expr, rebuilt in mismatches:
        print(f"mismatch: {tokens}\n   normal form: {expr}\n   rebuilt:     {rebuilt}")
    return 1 if counts["real: MISMATCH"] or counts["complex constants: MISMATCH"] else 0


if __name__ == "__main__":
    sys.exit(main())
