"""
How well each method continues held-out OEIS sequences.

    python -m sage_neural.sequences.evaluate --oeis ../shared/data/oeis/stripped.gz \\
        --limit 300 --seed 1 [--report report.json]

Sequences of the test split (see :func:`sage_neural.sequences.oeis.split_of`)
with at least ``--given + --ahead`` terms are sampled with ``--seed``; each
method sees the first ``--given`` terms (20) and is asked for the next
``--ahead`` (10). For each method the table gives:

- solved -- the share of sequences whose next terms are all exact;
- answered -- the share for which the method returned terms at all;
- wrong -- the share of the answers that are not all exact
  (wrong / answered): the rate at which the method misleads;
- median time of a call, in seconds.

The methods, side by side in one run:

- ``model`` -- the trained model's candidates alone, verified
  (left out, with a note, when the model is not available);
- ``classical`` -- the exact guessers alone, verified;
- ``next_terms`` -- both, as :func:`~sage_neural.sequences.next_terms.next_terms`
  returns them;
- ``sympy recurrence`` -- SymPy's ``find_linear_recurrence`` on the given
  terms, its recurrence run forwards;
- ``sympy guess`` -- SymPy's ``guess``, its first formula evaluated;
- ``sympy rational gf`` -- SymPy's ``guess_generating_function_rational``,
  its series expanded.

Every call runs in a forked child killed after ``--seconds``; a call that
runs out of time counts as no answer.

The sequences are from The On-Line Encyclopedia of Integer Sequences
(OEIS), https://oeis.org (CC BY-SA 4.0).
"""

import argparse
import json
import logging
import random
import statistics
import sys
import time

from .oeis import CREDIT, StrippedReader

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------
#  The methods: each takes the given terms and returns the next ``ahead``
#  terms as Python ints, or None.
# ---------------------------------------------------------------------------

def _ours(terms, ahead, classical, model):
    from .next_terms import next_terms
    result = next_terms(terms, k=ahead, model=model, classical=classical,
                        timeout=60.0)
    return result.next


def model_alone(terms, ahead):
    return _ours(terms, ahead, classical=False, model=True)


def classical_alone(terms, ahead):
    return _ours(terms, ahead, classical=True, model=False)


def combined(terms, ahead):
    return _ours(terms, ahead, classical=True, model=True)


def sympy_recurrence(terms, ahead):
    """SymPy's shortest linear recurrence of the terms, run forwards."""
    from sympy import Integer, Tuple
    from sympy.abc import k
    from sympy.series.sequences import SeqPer

    # A periodic sequence whose period is the given terms: its first
    # len(terms) values are exactly the terms.
    sequence = SeqPer(Tuple(*[Integer(t) for t in terms]), (k, 0, len(terms) - 1))
    coefficients = sequence.find_linear_recurrence(len(terms))
    if not coefficients:
        return None
    values = [Integer(t) for t in terms]
    for _ in range(ahead):
        values.append(sum(c * values[-1 - i] for i, c in enumerate(coefficients)))
    return _integers(values[len(terms):])


def sympy_guess(terms, ahead):
    """SymPy's ``guess``: its first formula in ``i0``, which counts from 1."""
    from sympy import Symbol
    from sympy.concrete.guess import guess

    formulas = guess([int(t) for t in terms])
    if not formulas:
        return None
    i0 = Symbol("i0")
    formula = formulas[0]
    return _integers([formula.subs(i0, n).doit()
                      for n in range(len(terms) + 1, len(terms) + ahead + 1)])


def sympy_rational_gf(terms, ahead):
    """SymPy's rational generating function, expanded as a power series."""
    from sympy import Symbol, series
    from sympy.concrete.guess import guess_generating_function_rational

    x = Symbol("x")
    gf = guess_generating_function_rational([int(t) for t in terms], X=x)
    if gf is None:
        return None
    expansion = series(gf, x, 0, len(terms) + ahead).removeO()
    return _integers([expansion.coeff(x, n)
                      for n in range(len(terms), len(terms) + ahead)])


def _integers(values):
    """Python ints, or None when a value is not an integer."""
    out = []
    for v in values:
        if not getattr(v, "is_Integer", False) and not isinstance(v, int):
            return None
        out.append(int(v))
    return out


METHODS = {
    "model": model_alone,
    "classical": classical_alone,
    "next_terms": combined,
    "sympy recurrence": sympy_recurrence,
    "sympy guess": sympy_guess,
    "sympy rational gf": sympy_rational_gf,
}


def _timed(method, terms, ahead):
    """``(answer, seconds)``, timed in the child that runs the method."""
    start = time.perf_counter()
    answer = method(terms, ahead)
    return answer, time.perf_counter() - start


def model_available():
    """``None`` when the sequence model can be used, else the reason."""
    try:
        from .neural import candidates
        candidates([1, 1, 2, 5, 14, 42, 132, 429, 1430, 4862], beam_size=1)
    except ImportError as error:
        return f"sage_neural.sequences.neural cannot be imported ({error})"
    except Exception as error:
        return f"the sequence model cannot be loaded ({type(error).__name__}: {error})"
    return None


def sample(path, limit, seed, given, ahead):
    """``limit`` test-split sequences with ``given + ahead`` terms, chosen by ``seed``."""
    reader = StrippedReader(path, split="test", min_terms=given + ahead)
    eligible = list(reader)
    logger.info("%d eligible test sequences (%d bad lines)", len(eligible),
                reader.skipped)
    chosen = random.Random(seed).sample(eligible, min(limit, len(eligible)))
    return sorted(chosen, key=lambda s: s.anumber), len(eligible)


def evaluate(sequences, methods, given=20, ahead=10, seconds=30.0, progress=True):
    """
    Run ``methods`` (names of :data:`METHODS`) on ``sequences``; returns the
    per-sequence records and a summary per method.
    """
    from tqdm import tqdm

    from ..timeout import TimeLimitExceeded, call_with_time_limit

    records = []
    for sequence in tqdm(sequences, unit="seq", disable=not progress):
        terms = list(sequence.terms[:given])
        truth = list(sequence.terms[given:given + ahead])
        record = {"anumber": sequence.anumber}
        for name in methods:
            try:
                answer, elapsed = call_with_time_limit(
                    _timed, METHODS[name], terms, ahead, seconds=seconds)
                outcome = "none" if answer is None else \
                    "solved" if answer == truth else "wrong"
            except TimeLimitExceeded:
                answer, elapsed, outcome = None, seconds, "timeout"
            except Exception as error:  # the method failed: no answer
                logger.info("%s on %s: %s", name, sequence.anumber, error)
                answer, elapsed, outcome = None, None, "error"
            record[name] = {"outcome": outcome, "seconds": elapsed}
        records.append(record)

    summary = {}
    for name in methods:
        outcomes = [r[name]["outcome"] for r in records]
        times = [r[name]["seconds"] for r in records if r[name]["seconds"] is not None]
        answered = sum(o in ("solved", "wrong") for o in outcomes)
        solved = outcomes.count("solved")
        summary[name] = {
            "sequences": len(records), "solved": solved, "answered": answered,
            "wrong": answered - solved, "timeouts": outcomes.count("timeout"),
            "errors": outcomes.count("error"),
            "median_seconds": statistics.median(times) if times else None,
        }
    return records, summary


def table(summary):
    """The summary as a Markdown table."""
    lines = ["| method | solved | answered | wrong / answered | timeouts | "
             "median s |", "|---|---|---|---|---|---|"]
    for name, s in summary.items():
        n = s["sequences"] or 1
        wrong = (f"{100 * s['wrong'] / s['answered']:.1f}% ({s['wrong']})"
                 if s["answered"] else "–")
        median = f"{s['median_seconds']:.3f}" if s["median_seconds"] is not None else "–"
        lines.append(f"| {name} | {100 * s['solved'] / n:.1f}% ({s['solved']}) | "
                     f"{100 * s['answered'] / n:.1f}% ({s['answered']}) | {wrong} | "
                     f"{s['timeouts']} | {median} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sage_neural.sequences.evaluate",
                                     description=__doc__.split("\n\n")[1])
    parser.add_argument("--oeis", required=True, help="the OEIS stripped.gz file")
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--given", type=int, default=20)
    parser.add_argument("--ahead", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30.0,
                        help="time limit of each call (default 30)")
    parser.add_argument("--methods", default=",".join(METHODS),
                        help="comma-separated, among: " + ", ".join(METHODS))
    parser.add_argument("--report", help="write the records and summary as JSON")
    args = parser.parse_args(argv)

    import sage.all__sagemath_symbolics  # noqa: F401  (load Sage before forking)

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        parser.error(f"unknown methods {', '.join(unknown)}: expected among "
                     f"{', '.join(METHODS)}")
    notes = []
    if "model" in methods or "next_terms" in methods:
        missing = model_available()
        if missing:
            notes.append(f"model column left out: {missing}; next_terms ran "
                         "with the classical guessers alone")
            methods = [m for m in methods if m != "model"]

    sequences, eligible = sample(args.oeis, args.limit, args.seed, args.given,
                                 args.ahead)
    start = time.perf_counter()
    records, summary = evaluate(sequences, methods, args.given, args.ahead,
                                args.seconds)
    wall = time.perf_counter() - start

    print(f"{len(sequences)} held-out OEIS sequences (of {eligible} with at least "
          f"{args.given + args.ahead} terms), seed {args.seed}: first {args.given} "
          f"terms given, next {args.ahead} asked for; {args.seconds:g} s per call; "
          f"{wall:.0f} s in all")
    print(table(summary))
    for note in notes:
        print(f"note: {note}")
    print(f"data: {CREDIT}")
    if args.report:
        with open(args.report, "w", encoding="utf-8") as out:
            json.dump({"arguments": vars(args), "notes": notes, "summary": summary,
                       "records": records, "credit": CREDIT}, out, indent=1)
            out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
