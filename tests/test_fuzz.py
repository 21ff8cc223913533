"""Round-trip fuzzing over 10,000 random trees (slow: run with -m slow)."""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))


@pytest.mark.slow
def test_ten_thousand_random_trees_round_trip():
    from fuzz_roundtrip import fuzz

    counts, mismatches = fuzz(10_000, seed=0)
    real = counts["real: identical"] + counts["real: MISMATCH"]
    assert real > 9_000
    assert counts["real: MISMATCH"] == 0, mismatches
    assert counts["complex constants: MISMATCH"] == 0, mismatches
