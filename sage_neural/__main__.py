"""
Command line of sage_neural.

    python -m sage_neural integrate "x*cos(x)*exp(sin(x))" [--variable x]
    python -m sage_neural integrate --file integrands.txt --report report.json
    python -m sage_neural next-terms 1,1,2,5,14,42,132,429,1430,4862,16796,58786 [--k 5]
    python -m sage_neural oeis build --stripped stripped.gz --names names.gz [--out DIR]
    python -m sage_neural oeis neighbours 1,2,5,14,42,132 [--k 10] [--plot out.png]
"""

import argparse
import json
import re
import sys


def _integrate(args):
    import sage.all__sagemath_symbolics as sg
    from tqdm import tqdm

    from .integration.neural import find_antiderivative

    def one(text):
        try:
            f = sg.SR(text)
            x = sg.SR.var(args.variable) if args.variable else None
            result = find_antiderivative(f, x, beam_size=args.beam, timeout=args.timeout,
                                         model=args.model)
        except (ValueError, TypeError, SyntaxError) as error:
            return {"integrand": text, "error": str(error)}
        return {"integrand": text, "verified": result.verified,
                "antiderivative": str(result.antiderivative) if result.verified else None,
                "rank": result.rank, "score": result.score, "method": result.method,
                "candidates_checked": result.tried, "seconds": round(result.seconds, 3)}

    if args.file:
        try:
            with open(args.file, encoding="utf-8") as f:
                lines = [line.strip() for line in f
                         if line.strip() and not line.startswith("#")]
        except (OSError, UnicodeDecodeError) as error:
            print(f"error: cannot read the integrands: {error}", file=sys.stderr)
            return 2
        report = [one(line) for line in tqdm(lines, unit="integrand")]
        solved = sum(1 for r in report if r.get("verified"))
        text = json.dumps({"solved": solved, "total": len(report), "results": report},
                          indent=1)
        if args.report:
            with open(args.report, "w", encoding="utf-8") as out:
                out.write(text + "\n")
        print(f"{solved} of {len(report)} integrands with a verified antiderivative")
        return 0
    if not args.expression:
        print("expected an expression or --file FILE", file=sys.stderr)
        return 2
    record = one(args.expression)
    if "error" in record:
        print(f"error: {record['error']}", file=sys.stderr)
        return 2
    if record["verified"]:
        print(record["antiderivative"])
        print(f"(verified: {record['method']}; candidate {record['rank'] + 1} of the "
              f"beam, {record['seconds']} s)", file=sys.stderr)
        return 0
    print(f"no verified antiderivative found among {record['candidates_checked']} "
          "candidates", file=sys.stderr)
    return 1


def _next_terms(args):
    import sage.all__sagemath_symbolics  # noqa: F401  (sets Sage up)

    from .sequences.next_terms import next_terms

    try:
        result = next_terms(",".join(args.terms), k=args.k, beam_size=args.beam,
                            model=args.model, timeout=args.timeout)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(result)
    print(f"({result.seconds:.2f} s)", file=sys.stderr)
    return 0


def _oeis(args):
    from .sequences.index import IndexMissingError

    if args.oeis_command == "build":
        from .sequences.index import SequenceEncoder, build_index

        try:
            encoder = SequenceEncoder(args.encoder)
            out = build_index(args.stripped, args.names, args.out, encoder=encoder,
                              limit=args.limit)
        except (OSError, ValueError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        meta = json.loads((out / "index.json").read_text())
        print(f"indexed {meta['sequences']} sequences in {out} "
              f"({meta['build_seconds']} s)")
        return 0

    from .sequences.neighbours import oeis_neighbours

    try:
        found = oeis_neighbours(",".join(args.terms), k=args.k, index=args.index)
    except IndexMissingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(found)
    print(f"({found.seconds * 1000:.1f} ms)", file=sys.stderr)
    if args.plot:
        try:
            found.plot(args.plot)
        except (ImportError, OSError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"plot written to {args.plot}", file=sys.stderr)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sage_neural")
    commands = parser.add_subparsers(dest="command", required=True)
    i = commands.add_parser("integrate", help="a verified antiderivative")
    i.add_argument("expression", nargs="?")
    i.add_argument("--variable")
    i.add_argument("--file", help="one integrand per line; prints a summary")
    i.add_argument("--report", help="with --file: write the JSON report here")
    i.add_argument("--beam", type=int, default=10)
    i.add_argument("--timeout", type=float, default=10.0)
    i.add_argument("--model", default="integration")
    t = commands.add_parser(
        "next-terms", help="the next terms of an integer sequence, with a verified formula",
        description="Prints the next terms, the formula that gives them and the "
        "evidence, or that no formula was found (exit status 0 either way; 2 on "
        "bad input).")
    t.add_argument("terms", nargs="+",
                   help="the terms, separated by commas or spaces: 1,1,2,5,14,42")
    t.add_argument("--k", type=int, default=5, help="how many terms (default 5)")
    t.add_argument("--no-model", dest="model", action="store_false",
                   help="the classical guessers alone")
    t.add_argument("--beam", type=int, default=10)
    t.add_argument("--timeout", type=float, default=10.0)
    o = commands.add_parser(
        "oeis", help="OEIS neighbours: the index, and the nearest sequences")
    oeis = o.add_subparsers(dest="oeis_command", required=True)
    b = oeis.add_parser(
        "build", help="build the index from the OEIS's dump files",
        description="Encodes every sequence of stripped.gz and writes the index "
        "(vectors, terms, names) into --out, by default the per-user cache folder "
        "or $SAGE_NEURAL_OEIS_INDEX.")
    b.add_argument("--stripped", required=True, help="the OEIS's stripped.gz")
    b.add_argument("--names", required=True, help="the OEIS's names.gz")
    b.add_argument("--out", help="the index folder")
    b.add_argument("--encoder",
                   help="an encoder's .json file (default: the shipped one)")
    b.add_argument("--limit", type=int, help="index the first LIMIT sequences only")
    n = oeis.add_parser(
        "neighbours", help="the OEIS sequences nearest to some terms",
        description="Prints the nearest OEIS sequences with their verified exact "
        "relations to the query (exit status 0; 2 on bad input or a missing index).")
    n.add_argument("terms", nargs="+",
                   help="the terms, separated by commas or spaces: 1,2,5,14,42")
    n.add_argument("--k", type=int, default=10, help="how many (default 10)")
    n.add_argument("--index", help="the index folder (default: the per-user cache "
                   "folder or $SAGE_NEURAL_OEIS_INDEX)")
    n.add_argument("--plot", metavar="PNG", help="also save a plot here")
    # Terms such as "-1,2,-3" would be taken for options: a leading space
    # keeps them positional (the term parsers strip it).
    argv = sys.argv[1:] if argv is None else list(argv)
    argv = [f" {a}" if re.match(r"-\d", a) else a for a in argv]
    args = parser.parse_args(argv)
    if args.command == "next-terms":
        return _next_terms(args)
    if args.command == "oeis":
        return _oeis(args)
    return _integrate(args)


if __name__ == "__main__":
    sys.exit(main())
