"""The sequence language: integer codec, recurrence evaluation, synthetic data."""

import pytest
from hypothesis import given, strategies as st

from sage_neural.bridge.recurrence import parse_recurrence
from sage_neural.data import storage
from sage_neural.data.generate import generate
from sage_neural.data.recurrences import RecurrenceSampler, canonical_formula
from sage_neural.tokens import codec, language
from sage_neural.tokens.sequences import (
    BASE, SEQUENCE_TOKENS, sequence_codec, sequence_fingerprint, term_tokens,
)

native, twin = sequence_codec(native=True), sequence_codec(native=False)

integers = st.one_of(st.integers(-10**6, 10**6), st.integers(-10**80, 10**80))


@given(st.lists(integers, max_size=12))
def test_integer_codec_native_and_twin_agree(values):
    ids = native.encode_integers(values, BASE)
    assert ids == twin.encode_integers(values, BASE)
    assert native.decode_integers(ids, BASE) == values == twin.decode_integers(ids, BASE)


@given(st.lists(st.integers(-2, len(SEQUENCE_TOKENS) + 2), max_size=12))
def test_integer_decoding_agrees_on_any_ids(ids):
    def outcome(c):
        try:
            return c.decode_integers(ids, BASE)
        except ValueError as error:
            return str(error)
    assert outcome(native) == outcome(twin)


def test_integer_tokens_in_base_1000():
    assert term_tokens([0, -1, 1000, 123456789]) == [
        "INT+", "0", "INT-", "1", "INT+", "1", "0", "INT+", "123", "456", "789"]
    with pytest.raises(ValueError, match="without digits"):
        twin.decode_integers(twin.encode(["INT+", "INT+", "1"]), BASE)
    with pytest.raises(ValueError, match="not part of an integer"):
        native.decode_integers(native.encode(["add"]), BASE)
    # The expression language has no digits beyond 9.
    with pytest.raises(ValueError, match="no digit tokens for base 1000"):
        codec().encode_integers([5], BASE)


def test_every_token_encodes_to_its_own_id():
    # Ids above 256 are not cached small ints: the native encoder once
    # stored freed objects for them.
    for c in (native, twin):
        assert c.encode(list(SEQUENCE_TOKENS)) == list(range(len(SEQUENCE_TOKENS)))


def test_languages_have_their_own_fingerprints():
    assert language("sequences").fingerprint() == sequence_fingerprint()
    assert language("integration").fingerprint() != sequence_fingerprint()
    with pytest.raises(ValueError, match="unknown token language"):
        language("music")


def test_recurrences_evaluate_exactly():
    fibonacci = parse_recurrence(["add", "u1", "u2"])
    assert fibonacci.order == 2
    assert fibonacci.extend([0, 1], 12)[-1] == 89
    factorial = parse_recurrence(["mul", "n", "u1"])
    assert factorial.extend([1], 8) == [1, 1, 2, 6, 24, 120, 720, 5040]
    closed = parse_recurrence(["idiv", "mul", "n", "n", "INT-", "3"])
    assert closed.order == 0
    assert closed.extend([], 5) == [0, -1, -2, -3, -6]  # floor(n^2 / -3)
    assert parse_recurrence(["mod", "n", "INT-", "3"]).extend([], 4) == [0, -2, -1, 0]
    assert str(parse_recurrence(["sub", "n", "sub", "u1", "INT+", "2"])) == \
        "a(n) = n - (a(n-1) - 2)"


def test_recurrence_errors():
    with pytest.raises(ZeroDivisionError):
        parse_recurrence(["idiv", "n", "sub", "n", "INT+", "1"]).extend([], 3)
    with pytest.raises(ArithmeticError, match="exponent"):
        parse_recurrence(["pow", "INT+", "2", "INT-", "1"]).extend([], 2)
    with pytest.raises(ArithmeticError, match="digits"):
        parse_recurrence(["mul", "u1", "u1"]).extend([10], 20)
    with pytest.raises(ValueError, match="incomplete"):
        parse_recurrence(["add", "u1"])
    with pytest.raises(ValueError, match="left over"):
        parse_recurrence(["u1", "u2"])
    with pytest.raises(ValueError, match="needs 2 initial terms"):
        parse_recurrence(["add", "u1", "u2"]).extend([1], 5)


def test_sampled_pairs_are_exact():
    sampler = RecurrenceSampler(seed=3)
    kept = 0
    while kept < 200:
        pair = sampler.sample()
        if pair is None:
            continue
        kept += 1
        terms = twin.decode_integers(twin.encode(pair[0]), BASE)
        recurrence = parse_recurrence(pair[1])
        assert 12 <= len(terms) <= 20
        assert recurrence.extend(terms, len(terms)) == terms
        assert all(abs(t) < 10**15 for t in terms)
    assert sampler.attempts > kept  # some draws are rejected


@given(st.integers(0, 2**32), st.integers(0, 40),
       st.lists(st.integers(-10**6, 10**6), min_size=4, max_size=4))
def test_canonical_formula_is_the_same_function(seed, n, previous):
    raw = RecurrenceSampler(seed=seed).formula()
    try:
        canonical = canonical_formula(raw)
    except ZeroDivisionError:
        with pytest.raises(ZeroDivisionError):
            parse_recurrence(raw).value(n, previous)
        return
    assert canonical_formula(canonical) == canonical
    try:
        expected = parse_recurrence(raw).value(n, previous)
    except ArithmeticError:
        return
    assert parse_recurrence(canonical).value(n, previous) == expected


def test_canonical_formula_merges_equal_polynomials():
    forms = [["mul", "n", "sub", "n", "INT+", "1"],
             ["sub", "mul", "n", "n", "n"],
             ["sub", "mul", "add", "sub", "n", "n", "n", "n", "n"]]
    assert len({tuple(canonical_formula(f)) for f in forms}) == 1
    assert canonical_formula(["add", "u2", "sub", "u1", "u2"]) == ["u1"]


def test_generate_recurrence_dataset(tmp_path):
    out = tmp_path / "rec"
    manifest = generate(out, "recurrence", 300, workers=1, chunk_size=200,
                        test_permille=200, max_ops=4, progress=False)
    assert manifest["language"] == "sequences"
    assert manifest["vocabulary"] == sequence_fingerprint()
    test = list(storage.iter_pairs(out, "test"))
    train = list(storage.iter_pairs(out, "train"))
    assert len(test) + len(train) >= 300
    # The split is by formula: no held-out formula is trained on.
    assert test and not {" ".join(p[1]) for p in test} & {" ".join(p[1]) for p in train}
    # Token ids above 255 survive storage.
    assert any(int(t) > 255 for p in train for t in p[0] if t.isdigit())
