"""
Retrieval by ``oeis_neighbours`` on held-out OEIS sequences, beside exact
matching of terms, with the query latency and the index build time.

    python benchmarks/oeis_retrieval.py --stripped stripped.gz --names names.gz \\
        [--index DIR | --build DIR] [--queries 1000] [--report out.json]

Queries come from the test split (``split_of``), which the encoder never
trained on; the index holds every sequence of the file, the query's source
included. Two kinds of query:

(a) a window: ``WINDOW_TERMS`` consecutive terms starting at a random
    offset 1..20 (the source's first terms are not shown); a hit when the
    source is ranked first;
(b) a transform of the source's first terms: a constant multiple, the
    differences, the partial sums, the binomial transform or its inverse,
    a bisection; ``TRANSFORM_TERMS`` terms; a hit when the source is among
    the first 10.

Each kind is scored three ways: the encoder's nearest vectors alone, the
answer of ``oeis_neighbours`` (the nearest vectors re-ranked by verified
relations), and exact matching as the OEIS's own search does it: the
query's terms as a contiguous run anywhere in a sequence, and as a prefix;
matches in A-number order.
"""

import argparse
import bisect
import json
import pathlib
import random
import statistics
import sys
import time

from tqdm import tqdm

from sage_neural.sequences.index import OEISIndex, build_index
from sage_neural.sequences.neighbours import TRANSFORMS, oeis_neighbours
from sage_neural.sequences.oeis import CREDIT, StrippedReader, split_of

WINDOW_TERMS = 12
TRANSFORM_TERMS = 12
MAX_OFFSET = 20
MULTIPLES = (2, 3, 5, -1)


class ExactSearch:
    """Exact matching of terms over the whole file, in A-number order."""

    def __init__(self, sequences):
        lines = ["," + ",".join(map(str, terms)) + "," for _, terms in sequences]
        self.anumbers = [a for a, _ in sequences]
        self.starts = []
        position = 1
        for line in lines:
            self.starts.append(position)
            position += len(line) + 1
        self.text = "\n" + "\n".join(lines) + "\n"

    def search(self, query, count, prefix=False):
        """The A-numbers of the first ``count`` sequences that contain ``query``."""
        pattern = "," + ",".join(map(str, query)) + ","
        if prefix:
            pattern = "\n" + pattern
        found, start = [], 0
        while len(found) < count:
            at = self.text.find(pattern, start)
            if at < 0:
                break
            line = bisect.bisect_right(self.starts, at + (1 if prefix else 0)) - 1
            if not found or found[-1] != self.anumbers[line]:
                found.append(self.anumbers[line])
            start = at + 1
        return found


def make_queries(sequences, count, seed):
    """``(kind, description, source, terms)`` for both kinds of query."""
    rng = random.Random(seed)
    held_out = [(a, t) for a, t in sequences
                if split_of(a) == "test" and len(t) >= WINDOW_TERMS + 8]
    rng.shuffle(held_out)
    windows, transforms = [], []
    for anumber, terms in held_out:
        if len(windows) < count:
            most = min(MAX_OFFSET, len(terms) - WINDOW_TERMS)
            offset = rng.randint(1, most)
            query = list(terms[offset:offset + WINDOW_TERMS])
            if len(set(query)) > 1:
                windows.append(("window", f"offset {offset}", anumber, query))
                continue
        if len(transforms) < count and len(terms) >= 2 * TRANSFORM_TERMS + 2:
            name = rng.choice(["multiple"] + [n for n in TRANSFORMS if n != "terms"])
            if name == "multiple":
                c = rng.choice(MULTIPLES)
                query, name = [c * t for t in terms], f"{c} times"
            else:
                query = TRANSFORMS[name](list(terms[:2 * TRANSFORM_TERMS + 2]))
            query = query[:TRANSFORM_TERMS]
            if len(query) == TRANSFORM_TERMS and len(set(query)) > 1:
                transforms.append(("transform", name, anumber, query))
        if len(windows) >= count and len(transforms) >= count:
            break
    return windows, transforms


def percent(hits, total):
    return round(100.0 * hits / max(total, 1), 1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--stripped", required=True)
    parser.add_argument("--names", required=True)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--index", help="use this index, built before")
    where.add_argument("--build", help="build the index here first, timed")
    parser.add_argument("--encoder", help="encoder .json (default: the shipped one)")
    parser.add_argument("--queries", type=int, default=1000, help="per kind")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--report", help="write the figures here as JSON")
    args = parser.parse_args(argv)

    report = {"credit": CREDIT}
    if args.build:
        from sage_neural.sequences.index import SequenceEncoder
        began = time.perf_counter()
        build_index(args.stripped, args.names, args.build,
                    encoder=SequenceEncoder(args.encoder))
        report["build_seconds"] = round(time.perf_counter() - began, 1)
        print(f"index built in {report['build_seconds']} s")
    index = OEISIndex(args.build or args.index)
    report["index_sequences"] = len(index)

    sequences = [(s.anumber, s.terms) for s in StrippedReader(args.stripped)]
    exact = ExactSearch(sequences)
    windows, transforms = make_queries(sequences, args.queries, args.seed)

    # Warm up: the first call opens the index and the encoder.
    oeis_neighbours([1, 2, 3, 5, 8, 13], index=index)
    latencies, search_latencies, by_kind = [], [], {}
    kinds = (("window", windows, 1), ("transform", transforms, 10))
    for kind, queries, cutoff in kinds:
        hits = {"vectors": 0, "neighbours": 0, "exact_run": 0, "exact_prefix": 0,
                "verified_relation": 0}
        per_transform = {}
        for _, description, source, query in tqdm(queries, desc=kind, unit="query"):
            began = time.perf_counter()
            _, entries = index.search([query], cutoff)
            search_latencies.append(time.perf_counter() - began)
            nearest = [index.anumber(e) for e in entries[0] if e >= 0]
            began = time.perf_counter()
            answer = oeis_neighbours(query, k=10, index=index)
            latencies.append(time.perf_counter() - began)
            ranked = [nb.anumber for nb in answer][:cutoff]
            hit = source in ranked
            hits["vectors"] += source in nearest
            hits["neighbours"] += hit
            hits["verified_relation"] += any(nb.anumber == source and nb.relations
                                             for nb in answer)
            hits["exact_run"] += source in exact.search(query, cutoff)
            hits["exact_prefix"] += source in exact.search(query, cutoff, prefix=True)
            if kind == "transform":
                name = description if "times" not in description else "multiple"
                seen, got = per_transform.get(name, (0, 0))
                per_transform[name] = (seen + 1, got + hit)
        by_kind[kind] = {"queries": len(queries), "cutoff": f"top {cutoff}",
                         **{k: percent(v, len(queries)) for k, v in hits.items()}}
        if per_transform:
            by_kind[kind]["by_transform"] = {
                name: f"{got}/{seen}"
                for name, (seen, got) in sorted(per_transform.items())}
    report["recall_percent"] = by_kind

    def ms(values, q):
        return round(1000 * statistics.quantiles(values, n=100)[q - 1], 2)

    report["latency_ms"] = {
        "oeis_neighbours_median": round(1000 * statistics.median(latencies), 2),
        "oeis_neighbours_p95": ms(latencies, 95),
        "encode_and_search_median":
            round(1000 * statistics.median(search_latencies), 2),
        "encode_and_search_p95": ms(search_latencies, 95),
        "calls": len(latencies)}
    text = json.dumps(report, indent=1)
    print(text)
    if args.report:
        pathlib.Path(args.report).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
