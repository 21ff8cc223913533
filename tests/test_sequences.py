"""Next terms of integer sequences: formulas, guessers, verification, OEIS files, CLI."""

import gzip
import itertools
import math
import pathlib
import random
import subprocess
import sys
import time

import pytest

import sage.all__sagemath_symbolics  # noqa: F401

from known_sequences import catalan, fibonacci, motzkin
from sage_neural.sequences.formula import (FormulaCheck, SequenceFormula, check_size,
                                           verify_formula)
from sage_neural.sequences.guessers import (HolonomicRecurrence, LinearRecurrence,
                                            MIN_BEYOND_FIT, PolynomialFormula,
                                            RationalFormula, candidates,
                                            guess_holonomic, guess_linear_recurrences,
                                            guess_polynomial, guess_rational)
from sage_neural.sequences.next_terms import next_terms, parse_terms
from sage_neural.sequences.oeis import NamesReader, StrippedReader, split_of

ROOT = pathlib.Path(__file__).resolve().parents[1]
OEIS = ROOT.parent / "shared" / "data" / "oeis"


KNOWN = {
    # name: (terms, expected kind of the winning formula)
    "fibonacci": (fibonacci(40), "linear recurrence"),
    "2^n + n": ([2 ** n + n for n in range(40)], "linear recurrence"),
    "n^2 + 1": ([n * n + 1 for n in range(40)], "polynomial"),
    "catalan": (catalan(40), "hypergeometric"),
    "factorials": ([math.factorial(n) for n in range(40)], "hypergeometric"),
    "central binomials": ([math.comb(2 * n, n) for n in range(40)], "hypergeometric"),
    "motzkin": (motzkin(40), "holonomic recurrence"),
    "constant": ([7] * 40, "polynomial"),
    "alternating": ([(-1) ** n * (n + 1) for n in range(40)], "linear recurrence"),
}


def verified(formulas, terms):
    return [f for f in formulas if verify_formula(f, terms).verified]


# ---------------------------------------------------------------------------
#  The guessers
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(KNOWN))
def test_next_terms_of_known_sequences(name):
    full, kind = KNOWN[name]
    result = next_terms(full[:20], k=20, model=False)
    assert result.found, result
    assert result.next == full[20:40]
    assert result.formula.kind == kind
    assert result.source == "classical"
    assert result.checked == 20
    assert result.beyond_fit == 20 - result.formula.free_parameters >= MIN_BEYOND_FIT


def test_each_guesser_on_its_kind():
    squares = [n * n + 1 for n in range(15)]
    (p,) = guess_polynomial(squares)
    assert str(p) == "a(n) = n^2 + 1" and p.free_parameters == 3

    fib = fibonacci(15)
    assert any(str(f) == "a(n) = a(n-1) + a(n-2) for n >= 2, a(0) = 0, a(1) = 1"
               for f in verified(guess_linear_recurrences(fib), fib))

    terms = [2 ** n + n for n in range(15)]
    (f,) = verified(guess_linear_recurrences(terms), terms)
    assert f.coefficients == [4, -5, 2] and f.free_parameters == 6

    terms = catalan(15)
    found = verified(guess_holonomic(terms), terms)
    best = min(found, key=lambda f: f.complexity())
    assert str(best) == "a(n) = (4*n - 2)/(n + 1)*a(n-1) for n >= 1, a(0) = 1"

    terms = motzkin(16)
    found = verified(guess_holonomic(terms), terms)
    assert any(f.order == 2 and f.degree == 1 for f in found)

    # Integer-valued at the given points only: 360360/(n+1) for n < 15.
    terms = [360360 // (n + 1) for n in range(15)]
    (r,) = verified(guess_rational(terms), terms)
    assert str(r) == "a(n) = 360360/(n + 1)"
    with pytest.raises(ArithmeticError, match="not an integer"):
        r.terms(16)


def test_recurrence_that_starts_late():
    # a(0) breaks the pattern: the recurrence holds from n = 2 on.
    terms = [5] + [2 ** n for n in range(19)]
    result = next_terms(terms, model=False)
    assert result.next == [2 ** n for n in range(19, 24)]
    assert result.formula.free_parameters == 4


def test_holonomic_with_vanishing_leading_coefficient():
    # (n - 3) a(n+1) = (n - 3) a(n): a(4) is free, taken from the data.
    terms = [1, 1, 1, 1, 9, 9, 9, 9, 9, 9, 9, 9]
    f = HolonomicRecurrence([[3, -1], [-3, 1]], [1], exceptional={4: 9})
    assert f.terms(12) == terms
    assert f.free_parameters == 5
    with pytest.raises(ArithmeticError, match="vanishes"):
        HolonomicRecurrence([[3, -1], [-3, 1]], [1]).terms(12)


def test_candidates_leave_enough_checks():
    terms = fibonacci(20)
    for f in candidates(terms):
        assert f.free_parameters <= len(terms) - MIN_BEYOND_FIT, f


# ---------------------------------------------------------------------------
#  Verification
# ---------------------------------------------------------------------------

def test_formula_matching_all_but_the_last_term_is_rejected():
    terms = [n * n + 1 for n in range(20)]
    terms[-1] += 1
    check = verify_formula(PolynomialFormula([1, 1, 2]), terms)
    assert not check.verified
    assert check.reason == f"a(19) = 362 computed, {362 + 1} given"

    # And next_terms does not answer with it.
    result = next_terms(terms, model=False)
    assert result.next != [n * n + 1 for n in range(20, 25)]
    if result.found:
        assert result.formula.terms(20) == terms

    fib = fibonacci(20)
    fib[-1] -= 1
    assert not verify_formula(LinearRecurrence([1, 1], [0, 1]), fib).verified


class Broken(SequenceFormula):
    """A formula that misbehaves in a chosen way."""

    kind = "test"
    free_parameters = 2

    def __init__(self, how):
        self.how = how

    def terms(self, count):
        if self.how == "divide":
            return [1 // (n - 3) for n in range(count)]
        if self.how == "float":
            return [float(n) for n in range(count)]
        if self.how == "short":
            return list(range(count - 1))
        if self.how == "explode":
            values = [2]
            while len(values) < count:
                values.append(check_size(values[-1] ** 2))
            return values
        if self.how == "sleep":
            time.sleep(60)
        if self.how == "value":
            raise ValueError("no such term")
        return list(range(count))

    def __str__(self):
        return self.how


@pytest.mark.parametrize("how, reason", [
    ("divide", "cannot compute the terms: integer division or modulo by zero"),
    ("float", "a(0) is 0.0, not a Python integer"),
    ("short", "the formula gave 9 terms, 10 were asked for"),
    ("value", "cannot compute the terms: no such term"),
    ("explode", "cannot compute the terms: a term with more than 104 digits"),
    ("identity", "a(1) = 1 computed, 2 given"),
])
def test_wrong_formulas_are_rejected(how, reason):
    start = time.perf_counter()
    check = verify_formula(Broken(how), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18])
    assert time.perf_counter() - start < 2
    assert not check.verified
    assert check.reason == reason


def test_slow_formula_is_killed():
    start = time.perf_counter()
    check = verify_formula(Broken("sleep"), list(range(10)), seconds=1)
    assert time.perf_counter() - start < 10
    assert check == FormulaCheck(False, 0, -2, "computing the terms took more than 1 s")


def test_minimum_beyond_fit():
    fib = fibonacci(10)          # 10 terms, 4 fitted: 6 beyond
    check = verify_formula(LinearRecurrence([1, 1], [0, 1]), fib, min_beyond_fit=8)
    assert not check.verified and check.beyond_fit == 6
    assert not next_terms(fib, model=False).found
    assert next_terms(fib, model=False, min_beyond_fit=6).next == [55, 89, 144, 233, 377]


# ---------------------------------------------------------------------------
#  Honest failures and bad input
# ---------------------------------------------------------------------------

PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71,
          73, 79, 83, 89, 97, 101, 103, 107, 109, 113]


def test_primes_and_random_sequences_give_none():
    result = next_terms(PRIMES, model=False)
    assert result.next is None and result.formula is None
    assert repr(result).startswith("no formula found")

    generator = random.Random(5)
    for _ in range(20):
        terms = [generator.randrange(-10 ** 6, 10 ** 6) for _ in range(25)]
        assert not next_terms(terms, model=False).found


@pytest.mark.parametrize("seq, message", [
    ([1, 2, 3, 4, 5, 1.5], "expected integers, got 1.5 as term 5"),
    ("1, 2, 3, a, 5, 6", "expected integers separated by commas or spaces, got 'a' as term 3"),
    ("1, 2, 3, 4.0, 5, 6", "got '4.0' as term 3"),
    ([1, 2, 3, 4, 5, True], "expected integers, got True as term 5"),
    ([1, 2, 3], "expected at least 6 terms, got 3"),
    ("", "expected at least 6 terms, got 0"),
    (5, "expected a list of integers or a string such as '1, 1, 2, 5, 14, 42', got 5"),
    ([1, 2, 3, 4, 5, 10 ** 1000], "term 5 has more than 1000 digits: expected at most 1000"),
])
def test_malformed_input(seq, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("?", r"\?")):
        next_terms(seq, model=False)


def test_input_forms():
    import numpy
    from sage.rings.integer_ring import ZZ

    expected = [1, 1, 2, 5, 14, 42]
    assert parse_terms("1,1,2,5,14,42") == expected
    assert parse_terms("1 1 2 5 14 42") == expected
    assert parse_terms("1, 1, 2, 5, 14, 42") == expected
    assert parse_terms([ZZ(t) for t in expected]) == expected
    assert parse_terms(numpy.array(expected)) == expected
    assert all(type(t) is int for t in parse_terms(numpy.array(expected)))
    with pytest.raises(ValueError, match="expected k between 1 and 1000, got 0"):
        next_terms(fibonacci(20), k=0, model=False)


# ---------------------------------------------------------------------------
#  Model candidates (a fake source stands in for the trained model)
# ---------------------------------------------------------------------------

class Recurrence(SequenceFormula):
    """A model-style recurrence ``a(n) = f(a(n-1), a(n-2))``."""

    kind = "model recurrence"

    def __init__(self, step, initial, text):
        self.step, self.initial, self.text = step, list(initial), text
        self.free_parameters = len(initial)

    def terms(self, count):
        values = self.initial[:count]
        while len(values) < count:
            values.append(check_size(self.step(values[-1], values[-2])))
        return values

    def __str__(self):
        return self.text


def test_model_candidates_are_verified():
    fib = fibonacci(20)

    def source(terms, beam_size):
        assert terms == fib and beam_size == 10
        return [Recurrence(lambda a, b: a + b + 1, terms[:2], "wrong"),
                Recurrence(lambda a, b: a + b, terms[:2], "right")]

    result = next_terms(fib, model=source)
    assert result.source == "model" and str(result.formula) == "right"
    assert result.next == fibonacci(25)[20:]
    assert result.agreeing == 1          # the classical recurrence agrees
    assert result.beyond_fit == 18

    def only_wrong(terms, beam_size):
        return [Recurrence(lambda a, b: a + b + 1, terms[:2], "wrong")]

    result = next_terms(fib, model=only_wrong, classical=False)
    assert not result.found and result.tried == 1


def test_missing_model_is_a_note():
    from sage_neural.runtime.model import ModelFileError

    def missing(terms, beam_size):
        raise ModelFileError("model file sequences.json is missing")

    result = next_terms(fibonacci(20), model=missing)
    assert result.source == "classical" and result.found
    assert result.notes == ["the model was not used: model file sequences.json is missing"]


def test_slow_model_candidate_cannot_hang():
    class Slow(Recurrence):
        def terms(self, count):
            time.sleep(60)

    def source(terms, beam_size):
        return [Slow(None, terms[:2], "slow")]

    start = time.perf_counter()
    result = next_terms(fibonacci(20), model=source, timeout=2)
    assert time.perf_counter() - start < 10
    assert result.source == "classical"


# ---------------------------------------------------------------------------
#  OEIS files and the split
# ---------------------------------------------------------------------------

def test_reader_skips_bad_lines(tmp_path):
    path = tmp_path / "stripped.gz"
    with gzip.open(path, "wt") as f:
        f.write("# OEIS\n"
                "A000045 ,0,1,1,2,3,5,8,13,\n"
                "A000001 ,1,1,1,2,x,\n"         # not an integer
                "B000002 ,1,2,\n"               # not an A-number
                "A000003 \n"                    # no terms
                "\n"
                "A000290 ,0,1,4,9,16,25,\n"
                "A000004 ,0,,0,\n")             # an empty field
    reader = StrippedReader(path)
    sequences = list(reader)
    assert [s.anumber for s in sequences] == ["A000045", "A000290"]
    assert sequences[1].terms == (0, 1, 4, 9, 16, 25)
    assert (reader.read, reader.skipped) == (2, 4)
    assert [s.anumber for s in StrippedReader(path, min_terms=7)] == ["A000045"]


def test_truncated_file_keeps_what_was_read(tmp_path):
    lines = "".join(f"A{i:06d} ,{i},{i + 1},{i + 2},\n" for i in range(1, 2001))
    data = gzip.compress(lines.encode())
    path = tmp_path / "stripped.gz"
    path.write_bytes(data[:len(data) // 2])
    reader = StrippedReader(path)
    read = list(reader)
    assert 0 < len(read) < 2000


def test_split_is_deterministic_and_disjoint(tmp_path):
    anumbers = [f"A{i:06d}" for i in range(1, 20001)]
    splits = [split_of(a) for a in anumbers]
    assert splits == [split_of(a) for a in anumbers]
    assert 0.09 < splits.count("test") / len(splits) < 0.11

    path = tmp_path / "stripped.txt"
    path.write_text("".join(f"{a} ,1,2,3,\n" for a in anumbers[:500]))
    train = {s.anumber for s in StrippedReader(path, split="train")}
    test = {s.anumber for s in StrippedReader(path, split="test")}
    assert not train & test
    assert train | test == set(anumbers[:500])
    with pytest.raises(ValueError, match="unknown split 'valid'"):
        StrippedReader(path, split="valid")


@pytest.mark.skipif(not (OEIS / "stripped.gz").exists(), reason="no OEIS data")
def test_reader_on_the_oeis_data():
    reader = StrippedReader(OEIS / "stripped.gz")
    first = {s.anumber: s.terms for s in itertools.islice(reader, 200)}
    assert first["A000045"][:10] == (0, 1, 1, 2, 3, 5, 8, 13, 21, 34)
    assert first["A000108"][:6] == (1, 1, 2, 5, 14, 42)

    names = dict(itertools.islice(NamesReader(OEIS / "names.gz"), 200))
    assert names["A000045"].startswith("Fibonacci numbers")


@pytest.mark.skipif(not (OEIS / "stripped.gz").exists(), reason="no OEIS data")
def test_famous_oeis_sequences():
    reader = StrippedReader(OEIS / "stripped.gz")
    wanted = {"A000045": "linear recurrence", "A000108": "hypergeometric",
              "A000290": "polynomial", "A001006": "holonomic recurrence"}
    for sequence in itertools.islice(reader, 1500):
        if sequence.anumber in wanted:
            terms = list(sequence.terms)
            result = next_terms(terms[:20], k=10, model=False)
            assert result.next == terms[20:30], sequence.anumber
            assert result.formula.kind == wanted.pop(sequence.anumber)
    assert not wanted


# ---------------------------------------------------------------------------
#  Command line and evaluation
# ---------------------------------------------------------------------------

def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "sage_neural", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_cli():
    done = run_cli("next-terms", ",".join(map(str, catalan(12))), "--k", "3", "--no-model")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == [
        "next 3 terms: 208012, 742900, 2674440",
        "formula (hypergeometric, classical): "
        "a(n) = (4*n - 2)/(n + 1)*a(n-1) for n >= 1, a(0) = 1"]

    done = run_cli("next-terms", *map(str, PRIMES), "--no-model")
    assert done.returncode == 0
    assert done.stdout.startswith("no formula found")

    done = run_cli("next-terms", "1,2,3", "--no-model")
    assert done.returncode == 2
    assert "error: expected at least 6 terms, got 3" in done.stderr

    # A first term with a minus sign is a term, not an option.
    done = run_cli("next-terms", ",".join(str(-n) for n in range(12)), "--k", "2",
                   "--no-model")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("next 2 terms: -12, -13")


def test_evaluation_on_a_small_file(tmp_path, capsys):
    from sage_neural.sequences.evaluate import main

    # A000079 and A000129 are in the test split.
    assert split_of("A000079") == split_of("A000129") == "test"
    pell = [0, 1]
    while len(pell) < 35:
        pell.append(2 * pell[-1] + pell[-2])
    path = tmp_path / "stripped.txt"
    path.write_text(f"A000079 ,{','.join(str(2 ** n) for n in range(35))},\n"
                    f"A000129 ,{','.join(map(str, pell))},\n"
                    f"A000045 ,{','.join(map(str, fibonacci(35)))},\n")
    assert main(["--oeis", str(path), "--limit", "5", "--methods",
                 "classical,sympy recurrence", "--report", str(tmp_path / "r.json")]) == 0
    out = capsys.readouterr().out
    assert "2 held-out OEIS sequences" in out
    assert "| classical | 100.0% (2) | 100.0% (2) | 0.0% (0) |" in out
    assert (tmp_path / "r.json").exists()
