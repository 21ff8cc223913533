"""
Held-out accuracy of an integration model, with verification.

    python -m sage_neural.integration.evaluate --dataset work/bwd-v1 \\
        [--model integration] [--beams 1,10] [--limit 500]

For every held-out pair (the ``test`` split, which shares no integrand with
training) the model proposes candidates by beam search; an integrand counts
as solved at beam ``k`` when one of the ``k`` candidates verifies by
differentiation (``verify_antiderivative``), whether or not it is the
stored antiderivative. Exact matches with the stored antiderivative are
reported beside it.
"""

import argparse
import statistics
import sys
import time

from tqdm import tqdm

from .. import from_tokens
from ..data.storage import iter_pairs
from ..runtime.beam import beam_search
from ..runtime.model import OnnxSeq2Seq
from ..timeout import TimeLimitExceeded, call_with_time_limit
from .verify import verify_antiderivative


def evaluate(model, pairs, beam_size, max_len, batch=8, progress=True,
             seconds_per_check=5.0):
    """``(exact share, verified share, seconds per integrand)``."""
    x = from_tokens(["x"])
    exact = verified = 0
    seconds = []
    for start in tqdm(range(0, len(pairs), batch), disable=not progress,
                      desc=f"beam {beam_size}", unit="batch"):
        chunk = pairs[start:start + batch]
        began = time.perf_counter()
        results = beam_search(model, [p[0] for p in chunk], beam_size, max_len)
        seconds.append((time.perf_counter() - began) / len(chunk))
        for (integrand, antiderivative), candidates in zip(chunk, results):
            exact += any(c.tokens == antiderivative for c in candidates)
            f = from_tokens(integrand)
            for candidate in candidates:
                # Each check runs in a child killed after a few seconds: a
                # pathological candidate can hang Sage's evaluation.
                try:
                    check = call_with_time_limit(
                        verify_antiderivative, f, from_tokens(candidate.tokens), x,
                        seconds=seconds_per_check)
                except (TimeLimitExceeded, ValueError, ArithmeticError, RuntimeError,
                        TypeError):
                    continue
                if check.verified:
                    verified += 1
                    break
    n = max(len(pairs), 1)
    return exact / n, verified / n, statistics.median(seconds) if seconds else 0.0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sage_neural.integration.evaluate",
                                     description=__doc__.splitlines()[1])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--model", default="integration",
                        help="a shipped model's name, or the path of its .json file")
    parser.add_argument("--beams", default="1,10")
    parser.add_argument("--limit", type=int, default=500)
    parser.add_argument("--max-source-len", type=int,
                        help="longest integrand with its end token (default: the model's)")
    parser.add_argument("--max-len", type=int,
                        help="longest candidate, in tokens (default: the model's)")
    args = parser.parse_args(argv)

    model = OnnxSeq2Seq(args.model)
    if args.max_source_len is None:
        args.max_source_len = model.metadata.get("max_source_len", 64)
    if args.max_len is None:
        args.max_len = model.metadata.get("max_target_len", 40) - 2
    pairs = [p for p in iter_pairs(args.dataset, "test")
             if len(p[0]) + 1 <= args.max_source_len][:args.limit]
    print(f"{len(pairs)} held-out pairs from {args.dataset}; model {args.model} "
          f"on {model.provider}")
    print(f"{'beam':>5}{'exact':>9}{'verified':>10}{'s/integrand':>13}")
    for beam in (int(b) for b in args.beams.split(",")):
        exact, verified, seconds = evaluate(model, pairs, beam, args.max_len)
        print(f"{beam:>5}{exact:>9.1%}{verified:>10.1%}{seconds:>13.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
