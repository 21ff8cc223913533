"""
Held-out accuracy of a sequence model on synthetic recurrences.

    python -m sage_neural.sequences.heldout --dataset work/rec-v1 \\
        [--model sequences] [--beams 1,10] [--limit 500]

For every held-out pair (the ``test`` split, whose formulas never occur in
training) the model proposes formulas by beam search from the given terms.
At beam ``k`` a pair counts as

- *exact* when one of the ``k`` formulas is the stored one, token for token;
- *verified* when one reproduces every given term
  (:func:`~sage_neural.sequences.formula.verify_formula`);
- *next 10 right* when the first verified formula also gives the next ten
  terms of the stored formula: what a user of ``next_terms`` would get
  (never, when the stored formula cannot be continued ten terms).
"""

import argparse
import statistics
import sys
import time

from tqdm import tqdm

from ..bridge.recurrence import parse_recurrence
from ..data.storage import iter_pairs
from ..runtime.beam import beam_search
from ..runtime.model import OnnxSeq2Seq
from ..tokens.sequences import BASE, sequence_codec
from .formula import verify_formula
from .neural import ModelRecurrence

AHEAD = 10


def evaluate(model, pairs, beam_size, max_len, batch=16, progress=True):
    """``(exact, verified, next right, seconds per sequence)`` as shares."""
    c = sequence_codec()
    exact = verified = ahead = 0
    seconds = []
    for start in tqdm(range(0, len(pairs), batch), disable=not progress,
                      desc=f"beam {beam_size}", unit="batch"):
        chunk = pairs[start:start + batch]
        began = time.perf_counter()
        results = beam_search(model, [p[0] for p in chunk], beam_size, max_len)
        seconds.append((time.perf_counter() - began) / len(chunk))
        for (source, formula), candidates in zip(chunk, results):
            exact += any(cand.tokens == formula for cand in candidates)
            terms = c.decode_integers(c.encode(source), BASE)
            try:
                truth = parse_recurrence(formula).extend(terms, len(terms) + AHEAD)
            except ArithmeticError:
                # The stored formula itself stops (a division by zero
                # further on): there are no next terms to be right about.
                truth = None
            for cand in candidates:
                try:
                    guess = ModelRecurrence(parse_recurrence(cand.tokens), terms)
                except ValueError:
                    continue
                if verify_formula(guess, terms).verified:
                    verified += 1
                    try:
                        ahead += truth is not None and guess.terms(len(truth)) == truth
                    except (ArithmeticError, ValueError):
                        pass
                    break
    n = max(len(pairs), 1)
    median = statistics.median(seconds) if seconds else 0.0
    return exact / n, verified / n, ahead / n, median


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sage_neural.sequences.heldout",
                                     description=__doc__.splitlines()[1])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--model", default="sequences",
                        help="a shipped model's name, or the path of its .json file")
    parser.add_argument("--beams", default="1,10")
    parser.add_argument("--limit", type=int, default=500)
    args = parser.parse_args(argv)

    model = OnnxSeq2Seq(args.model)
    max_source = model.metadata.get("max_source_len", 130)
    max_len = model.metadata.get("max_target_len", 40) - 2
    pairs = [p for p in iter_pairs(args.dataset, "test")
             if len(p[0]) + 1 <= max_source][:args.limit]
    print(f"{len(pairs)} held-out pairs from {args.dataset}; model {args.model} "
          f"on {model.provider}")
    print(f"{'beam':>5}{'exact':>9}{'verified':>10}{'next 10 right':>15}{'s/sequence':>12}")
    for beam in (int(b) for b in args.beams.split(",")):
        exact, verified, ahead, seconds = evaluate(model, pairs, beam, max_len)
        print(f"{beam:>5}{exact:>9.1%}{verified:>10.1%}{ahead:>15.1%}{seconds:>12.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
