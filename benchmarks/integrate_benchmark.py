"""
Sage's built-in ``integrate`` alone against built-in plus the neural
fallback, side by side in one run on the same integrands.

    python benchmarks/integrate_benchmark.py [--limit 150] [--seed 0]
        [--seconds 10] [--neural-seconds 10] [--sets rubi-free,rubi-params,bwd]
        [--rubi ../shared/data/integrals/rubi.jsonl] [--report report.json]

Columns, for each set of integrands:

- *built-in*: Sage's default ``f.integrate(x)`` (Maxima, then Giac, then
  SymPy, as Sage chains them), run in a forked child that is killed after
  ``--seconds``. Its answer is then checked the way the product's fallback
  checks an engine's answer (``check_engine_answer``: the product's one
  verification function, ``verify_antiderivative``, at 24 points), in
  another child limited to ``--verify-seconds``. *solved* counts answers without an unevaluated
  integral, *verified* those that pass the check, *failed* those that do not
  (split in the report into a nonzero residual and too few points where both
  sides could be evaluated). Its time is the integration alone.
- *built-in + neural*: the fallback mode of the product. The built-in
  measurement above is reused, not repeated: its answer is kept when it
  verified; otherwise (unevaluated, timed out, failed, or not verified) the
  neural integrator (``find_antiderivative``, beam ``--beam``, at most
  ``--neural-seconds``) is asked. Only verified answers are returned. Its
  time is the built-in integration, plus the check of the built-in answer,
  plus the neural search when it runs. Every answer this path returns is
  checked again, as an audit, at fresh random points (another seed, 48
  points); *failed* counts those that fail it, and must be 0.

Medians are over all integrands of a set, a timed-out integration counting
as its limit. Maxima, Giac, SymPy and the model are started once before the
first measurement, as in a session that has used them before.

Integrands:

- ``rubi-free`` and ``rubi-params``: the Rubi integration test suite by
  Albert Rich (MIT licence), as converted to SymPy syntax in SymPy's tests,
  read from ``--rubi`` (one JSON object a line with ``integrand``,
  ``parameters`` and ``var``); the file is read where it is, never copied.
  Integrands without parameters are used as they are. In the others every
  parameter is replaced by a small integer from {-2, -1, 1, 2, 3} (``F``,
  the base of Rubi's exponentials, by 2 or 3), drawn with the seed; a draw that makes the integrand zero, free of ``x``, or undefined
  (an infinity or NaN) is drawn again, and the integrand is skipped after ten
  such draws. Integrands with undefined functions (``f(x)``) are skipped.
- ``bwd``: a backward-generated set made by the project's own generator with
  ``--bwd-seed`` (default 2; the shipped model was trained on seed 1), into
  ``work/bwd-bench-seed{N}`` unless ``--bwd-dataset`` names one:

      python -m sage_neural.data generate --kind bwd --count 1000 \\
          --out work/bwd-bench-seed2 --seed 2 --chunk-size 500 --workers 1

  Integrands that also occur in the training set (``--training-set``,
  default ``work/bwd-v1``, when present) are left out.

``--limit`` integrands are drawn from each set with ``--seed``. The whole
Rubi file with 10 s limits takes hours on two cores; a sample of 150 per set
takes well under an hour.
"""

import argparse
import json
import logging
import pathlib
import random
import statistics
import subprocess
import sys
import time

from tqdm import tqdm

from sage_neural.integration.fallback import ENGINE_POINTS

ROOT = pathlib.Path(__file__).resolve().parents[1]
RUBI = ROOT.parent / "shared" / "data" / "integrals" / "rubi.jsonl"
SETS = ("rubi-free", "rubi-params", "bwd")

#: Values given to the parameters of Rubi integrands; ``F``, the base of
#: Rubi's exponentials, gets a base that keeps the exponential one.
PARAMETER_VALUES = (-2, -1, 1, 2, 3)
BASE_VALUES = (2, 3)

logger = logging.getLogger("integrate_benchmark")


# ---------------------------------------------------------------------------
# Integrands
# ---------------------------------------------------------------------------

def _degenerate(expression, x):
    """Why a SymPy integrand is useless for the benchmark, or ``None``."""
    import sympy
    if expression.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return "undefined"
    if expression.is_zero:
        return "zero"
    if x not in expression.free_symbols:
        return "constant"
    return None


def rubi_integrands(path, limit, seed):
    """
    ``{"rubi-free": [...], "rubi-params": [...]}``, each a list of
    ``(source, integrand)`` with Sage integrands in ``x``, at most ``limit``
    of each drawn with ``seed``; and a count of skipped lines by reason.
    """
    import sympy
    from sympy.core.function import AppliedUndef
    from sage.all__sagemath_symbolics import SR

    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    rng = random.Random(seed)
    skipped = {}
    chosen = {"rubi-free": [], "rubi-params": []}
    for name, wanted in (("rubi-free", False), ("rubi-params", True)):
        candidates = [r for r in rows if bool(r["parameters"]) == wanted]
        rng.shuffle(candidates)
        for row in candidates:
            if len(chosen[name]) >= limit:
                break
            symbols = {p: sympy.Symbol(p) for p in row["parameters"] + [row["var"]]}
            x = symbols[row["var"]]
            integrand = sympy.sympify(row["integrand"], locals=symbols)
            # Rubi writes 1/10 as 0.1 once; the product refuses floating
            # point, and its checks would count rounding as an error.
            if integrand.atoms(sympy.Float):
                integrand = sympy.nsimplify(integrand, rational=True)
            if integrand.atoms(AppliedUndef):
                skipped["undefined function"] = skipped.get("undefined function", 0) + 1
                continue

            # Draw parameter values until the integrand is a usable one.
            for _ in range(10):
                values = {symbols[p]: rng.choice(BASE_VALUES if p == "F"
                                                 else PARAMETER_VALUES)
                          for p in row["parameters"]}
                concrete = integrand.subs(values) if values else integrand
                reason = _degenerate(concrete, x)
                if reason is None or not values:
                    break
            if reason is not None:
                skipped[reason] = skipped.get(reason, 0) + 1
                continue
            try:
                expression = SR(concrete)
            except Exception as error:  # a SymPy object Sage cannot convert
                key = f"not convertible ({type(error).__name__})"
                skipped[key] = skipped.get(key, 0) + 1
                continue
            label = row["source"]
            if values:
                label += " " + ",".join(f"{k}={v}" for k, v in
                                        sorted(values.items(), key=str))
            chosen[name].append((label, expression))
    return chosen, skipped


def make_bwd_dataset(folder, count, seed):
    """
    Generate the BWD benchmark set with the project's generator, unless the
    folder already holds ``count`` pairs (a resumed run would add chunks).
    """
    manifest = pathlib.Path(folder) / "manifest.json"
    if manifest.exists():
        shards = json.loads(manifest.read_text())["shards"]
        if sum(s["count"] for s in shards) >= count:
            return
    command = [sys.executable, "-m", "sage_neural.data", "generate", "--kind", "bwd",
               "--count", str(count), "--out", str(folder), "--seed", str(seed),
               "--chunk-size", "500", "--workers", "1"]
    print("generating:", " ".join(command[1:]), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)


def bwd_integrands(folder, limit, seed, training=None):
    """
    ``limit`` integrands of a BWD dataset (both splits), drawn with ``seed``,
    leaving out those that occur in the ``training`` dataset; and the number
    left out.
    """
    from sage_neural import from_tokens
    from sage_neural.data.storage import iter_pairs

    integrands = list(dict.fromkeys(tuple(p[0]) for p in iter_pairs(folder)))
    overlap = 0
    if training is not None:
        seen = {tuple(p[0]) for p in iter_pairs(training)}
        kept = [i for i in integrands if i not in seen]
        overlap = len(integrands) - len(kept)
        integrands = kept
    random.Random(seed).shuffle(integrands)
    return ([(" ".join(tokens), from_tokens(list(tokens)))
             for tokens in integrands[:limit]], overlap)


# ---------------------------------------------------------------------------
# The two paths
# ---------------------------------------------------------------------------

def _builtin_in_child(f, x):
    """In the child: Sage's default integration and its time."""
    start = time.perf_counter()
    answer = f.integrate(x)
    return answer, time.perf_counter() - start


def _check(f, F, x, seconds, **options):
    """``(outcome, detail, seconds)`` of a time-limited verification."""
    from sage_neural.integration.verify import verify_antiderivative
    from sage_neural.timeout import TimeLimitExceeded, call_with_time_limit

    start = time.perf_counter()
    try:
        check = call_with_time_limit(verify_antiderivative, f, F, x, seconds=seconds,
                                     **options)
    except TimeLimitExceeded:
        return "unverifiable", "verification timed out", time.perf_counter() - start
    except Exception as error:
        return ("unverifiable", f"verification failed: {type(error).__name__}",
                time.perf_counter() - start)
    elapsed = time.perf_counter() - start
    if check.verified:
        return "verified", check.method, elapsed
    # A residual reported at a point means the answer is wrong there; too few
    # usable points means it could not be checked either way.
    outcome = "wrong" if check.reason.startswith("F' - f") else "unverifiable"
    return outcome, check.reason, elapsed


def builtin(f, x, seconds, verify_seconds):
    """The built-in column: Sage's ``f.integrate(x)``, then the check."""
    from sage_neural.timeout import TimeLimitExceeded, call_with_time_limit

    record = {"seconds": seconds, "verify_seconds": 0.0}
    try:
        answer, record["seconds"] = call_with_time_limit(_builtin_in_child, f, x,
                                                         seconds=seconds)
    except TimeLimitExceeded:
        record["status"] = "timeout"
        return record, None
    except Exception as error:
        record["status"], record["detail"] = "error", f"{type(error).__name__}: {error}"
        return record, None
    record["answer"] = str(answer)
    if "integrate(" in record["answer"]:
        record["status"] = "unevaluated"
        return record, None
    record["status"], record["detail"], record["verify_seconds"] = _check(
        f, answer, x, verify_seconds, points=ENGINE_POINTS)
    return record, answer


def neural(f, x, beam, seconds):
    """The neural step of the fallback."""
    from sage_neural import find_antiderivative

    start = time.perf_counter()
    try:
        result = find_antiderivative(f, x, beam_size=beam, timeout=seconds)
    except ValueError as error:  # outside the vocabulary, or too long
        return {"status": "refused", "detail": str(error),
                "seconds": time.perf_counter() - start}, None
    record = {"status": "verified" if result.verified else "not found",
              "seconds": result.seconds, "tried": result.tried}
    if result.verified:
        record.update(answer=str(result.antiderivative), rank=result.rank,
                      method=result.method)
    return record, result.antiderivative


def warm_up(x):
    """
    Start Maxima, Giac, SymPy and the model in this process, once: every
    measurement runs in a child forked from it, which would otherwise pay
    for starting Maxima (about 2 s) again and again.
    """
    import sage.all__sagemath_symbolics as sg
    from sage_neural import find_antiderivative

    for algorithm in ("maxima", "giac", "sympy"):
        (x * sg.cos(x)).integrate(x, algorithm=algorithm)
    find_antiderivative(sg.cos(x), x)


def run_one(f, x, args):
    """Both paths on one integrand."""
    alone, answer = builtin(f, x, args.seconds, args.verify_seconds)
    combined = {"seconds": alone["seconds"] + alone["verify_seconds"]}
    if alone["status"] == "verified":
        combined["by"], returned = "built-in", answer
    else:
        step, returned = neural(f, x, args.beam, args.neural_seconds)
        combined["neural"] = step
        combined["seconds"] += step["seconds"]
        combined["by"] = "neural" if returned is not None else None
    if returned is not None:
        # The audit: another seed, twice as many points as any check before.
        outcome, detail, _ = _check(f, returned, x, args.verify_seconds,
                                    points=2 * ENGINE_POINTS, seed=12345)
        combined["audit"] = outcome if outcome == "verified" else f"{outcome}: {detail}"
    return {"builtin": alone, "combined": combined}


# ---------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------

def summarize(records):
    """One row of counts and medians per path."""
    n = len(records)
    alone = [r["builtin"] for r in records]
    combined = [r["combined"] for r in records]
    builtin_row = {
        "n": n,
        "solved": sum(a["status"] in ("verified", "wrong", "unverifiable") for a in alone),
        "verified": sum(a["status"] == "verified" for a in alone),
        "wrong": sum(a["status"] in ("wrong", "unverifiable") for a in alone),
        "residual": sum(a["status"] == "wrong" for a in alone),
        "median_s": statistics.median(a["seconds"] for a in alone) if n else 0.0,
    }
    returned = [c for c in combined if c["by"] is not None]
    combined_row = {
        "n": n,
        "solved": len(returned),
        "verified": len(returned),
        "wrong": sum(c["audit"] != "verified" for c in returned),
        "by_neural": sum(c["by"] == "neural" for c in returned),
        "median_s": statistics.median(c["seconds"] for c in combined) if n else 0.0,
    }
    return builtin_row, combined_row


def print_table(summaries):
    header = (f"{'set':<12}{'path':<19}{'n':>5}{'solved':>8}{'verified':>10}"
              f"{'failed':>8}{'median s':>10}")
    print(header)
    print("-" * len(header))
    for name, (alone, combined) in summaries.items():
        print(f"{name:<12}{'built-in':<19}{alone['n']:>5}{alone['solved']:>8}"
              f"{alone['verified']:>10}{alone['wrong']:>8}{alone['median_s']:>10.2f}")
        print(f"{'':<12}{'built-in + neural':<19}{combined['n']:>5}"
              f"{combined['solved']:>8}{combined['verified']:>10}"
              f"{combined['wrong']:>8}{combined['median_s']:>10.2f}")
    print()
    print("failed: built-in answers that fail verify_antiderivative at 24 points, "
          "and returned answers of built-in + neural that fail the audit at 48 fresh "
          "points. A built-in answer can fail with a nonzero residual at a real or "
          "complex point (some of these are right on part of the real line only), "
          "or because too few points could be evaluated; with a residual:",
          ", ".join(f"{name} {alone['residual']}" for name, (alone, _) in
                    summaries.items()))
    print("answers found by the neural step:",
          ", ".join(f"{name} {combined['by_neural']}" for name, (_, combined) in
                    summaries.items()))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--rubi", default=str(RUBI), help="the Rubi JSON-lines file")
    parser.add_argument("--sets", default=",".join(SETS),
                        help=f"comma-separated, among {', '.join(SETS)}")
    parser.add_argument("--limit", type=int, default=150, help="integrands per set")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the samples and of the Rubi parameter values")
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="time limit of Sage's integrate, per integrand")
    parser.add_argument("--verify-seconds", type=float, default=10.0,
                        help="time limit of each verification")
    parser.add_argument("--neural-seconds", type=float, default=10.0,
                        help="time limit of the neural search with its checks")
    parser.add_argument("--beam", type=int, default=10)
    parser.add_argument("--bwd-seed", type=int, default=2)
    parser.add_argument("--bwd-dataset",
                        help="an existing BWD dataset (default: generate "
                             "work/bwd-bench-seed{N})")
    parser.add_argument("--training-set", default=str(ROOT / "work" / "bwd-v1"),
                        help="integrands of this dataset are left out of the BWD set")
    parser.add_argument("--report", help="write per-integrand outcomes to this JSON file")
    args = parser.parse_args(argv)
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = [s for s in sets if s not in SETS]
    if unknown:
        parser.error(f"unknown set {unknown[0]!r}: expected one of {', '.join(SETS)}")

    import sage.all__sagemath_symbolics as sg
    x = sg.SR.var("x")

    integrands, notes = {}, {}
    if {"rubi-free", "rubi-params"} & set(sets):
        rubi, skipped = rubi_integrands(args.rubi, args.limit, args.seed)
        integrands.update({k: v for k, v in rubi.items() if k in sets})
        notes["rubi_skipped"] = skipped
    if "bwd" in sets:
        training = pathlib.Path(args.training_set)
        if (training / "manifest.json").exists():
            trained_seed = json.loads((training / "manifest.json").read_text())[
                "settings"]["seed"]
            if trained_seed == args.bwd_seed:
                parser.error(f"--bwd-seed {args.bwd_seed} is the training set's seed: "
                             "choose another")
        else:
            print(f"no training set at {training}: overlaps are not removed")
            training = None
        folder = args.bwd_dataset
        if folder is None:
            folder = ROOT / "work" / f"bwd-bench-seed{args.bwd_seed}"
            make_bwd_dataset(folder, max(1000, 2 * args.limit), args.bwd_seed)
        integrands["bwd"], notes["bwd_in_training_set"] = bwd_integrands(
            folder, args.limit, args.seed, training)
        notes["bwd_dataset"] = str(folder)

    total = sum(len(v) for v in integrands.values())
    print(f"{total} integrands: " + ", ".join(f"{k} {len(v)}" for k, v in
                                              integrands.items()), flush=True)
    warm_up(x)
    records = {name: [] for name in integrands}
    started = time.time()
    progress = tqdm(total=total, unit="integrand")
    try:
        for name, items in integrands.items():
            for label, f in items:
                progress.set_description(name)
                record = run_one(f, x, args)
                record.update(source=label, integrand=str(f))
                records[name].append(record)
                progress.update()
    except KeyboardInterrupt:
        print("\ninterrupted: the table covers the integrands done so far")
    finally:
        progress.close()

    summaries = {name: summarize(rs) for name, rs in records.items() if rs}
    print(f"\n{time.time() - started:.0f} s; time limits: built-in {args.seconds:g} s, "
          f"checks {args.verify_seconds:g} s, neural {args.neural_seconds:g} s, "
          f"beam {args.beam}")
    print_table(summaries)
    if notes:
        print("notes:", json.dumps(notes))
    if args.report:
        report = {"arguments": vars(args), "notes": notes,
                  "summary": {k: {"builtin": a, "builtin+neural": c}
                              for k, (a, c) in summaries.items()},
                  "results": records}
        pathlib.Path(args.report).write_text(json.dumps(report, indent=1))
        print(f"report: {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
