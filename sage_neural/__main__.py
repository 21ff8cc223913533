"""
Command line of sage_neural.

    python -m sage_neural integrate "x*cos(x)*exp(sin(x))" [--variable x]
    python -m sage_neural integrate --file integrands.txt --report report.json
"""

import argparse
import json
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
        with open(args.file, encoding="utf-8") as f:
            lines = [line.strip() for line in f if line.strip() and not line.startswith("#")]
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
    args = parser.parse_args(argv)
    return _integrate(args)


if __name__ == "__main__":
    sys.exit(main())
