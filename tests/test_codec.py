import numpy as np
import pytest
from hypothesis import given, strategies as st

from sage_neural.data.sampler import ExpressionSampler, SamplerConfig
from sage_neural.tokens import TOKENS, codec, integer_tokens, native_available
from sage_neural.tokens.twin import Codec as TwinCodec

twin = codec(native=False)
native = codec(native=True)
V = len(TOKENS)


def outcome(call, *args, **kwargs):
    """The result of a call, or the type of the error it raised."""
    try:
        result = call(*args, **kwargs)
    except (ValueError, TypeError) as error:
        return ("error", type(error).__name__)
    if isinstance(result, tuple):
        return tuple(r.tolist() if isinstance(r, np.ndarray) else r for r in result)
    return result.tolist() if isinstance(result, np.ndarray) else result


def test_native_module_is_built():
    assert native_available()
    assert type(native).__module__ == "sage_neural._native"
    assert isinstance(twin, TwinCodec)


ids = st.lists(st.integers(-2, V + 2), max_size=30)
token_lists = st.lists(st.sampled_from(TOKENS + ("bogus", "")), max_size=30)


def sampled_ids(seed):
    sampler = ExpressionSampler(SamplerConfig(leaf_weights={
        "variable": 2, "parameter": 1, "constant": 1, "integer": 2}, max_int=999), seed=seed)
    tokens = sampler.sample(1 + seed % 12)
    return twin.encode(tokens)


@given(ids, st.one_of(st.none(), st.integers(0, 40)))
def test_validator_agrees_on_random_ids(prefix, max_len):
    assert outcome(native.state, prefix) == outcome(twin.state, prefix)
    assert native.is_complete(prefix) == twin.is_complete(prefix)
    assert outcome(native.allowed_next, prefix, max_len) == outcome(
        twin.allowed_next, prefix, max_len)


@given(st.integers(0, 10**6), st.data())
def test_validator_agrees_on_valid_prefixes(seed, data):
    full = sampled_ids(seed)
    cut = data.draw(st.integers(0, len(full)))
    prefix = full[:cut]
    max_len = data.draw(st.one_of(st.none(), st.integers(cut, cut + 30)))
    expected = twin.allowed_next(prefix, max_len)
    assert native.allowed_next(prefix, max_len).tolist() == expected.tolist()
    # The true continuation is always allowed, and the whole is complete.
    if cut < len(full) and (max_len is None or max_len >= len(full)):
        assert expected[full[cut]]
    assert twin.is_complete(full) and native.is_complete(full)
    assert twin.is_complete(full + [twin.eos_id])


@given(token_lists)
def test_encode_decode_agree(tokens):
    encoded = outcome(twin.encode, tokens)
    assert outcome(native.encode, tokens) == encoded
    if encoded and encoded[0] != "error":
        assert native.decode(encoded) == twin.decode(encoded) == tokens


@given(ids)
def test_decode_agrees(values):
    assert outcome(native.decode, values) == outcome(twin.decode, values)


@given(st.lists(st.lists(st.sampled_from(TOKENS[3:]), max_size=12), max_size=6),
       st.booleans(), st.booleans(), st.one_of(st.none(), st.integers(0, 16)))
def test_batches_agree(sequences, bos, eos, max_len):
    expected = outcome(twin.encode_batch, sequences, max_len=max_len, bos=bos, eos=eos)
    assert outcome(native.encode_batch, sequences, max_len=max_len, bos=bos,
                   eos=eos) == expected
    if expected[0] != "error" and sequences:
        batch = np.array(expected[0], dtype=np.int64)
        lengths = np.array(expected[1], dtype=np.int64)
        assert native.decode_batch(batch) == twin.decode_batch(batch)
        if not bos:
            assert outcome(native.allowed_next_batch, batch, lengths) == outcome(
                twin.allowed_next_batch, batch, lengths)


@pytest.mark.parametrize("c", [twin, native], ids=["twin", "native"])
def test_validator_rules(c):
    enc = c.encode
    assert c.is_complete(enc(["add", "x", "INT+", "1", "2"]))
    assert not c.is_complete(enc(["add", "x"]))
    assert not c.is_complete(enc(["INT+"]))
    # Negative zero and leading zeros are not canonical.
    assert not c.allowed_next(enc(["INT-"]))[c.index["0"]]
    assert c.allowed_next(enc(["INT+"]))[c.index["0"]]
    assert not c.allowed_next(enc(["INT+", "0"]))[c.index["1"]]
    # Only the end token follows a complete expression, nothing after it.
    mask = c.allowed_next(enc(["sin", "x"]))
    assert mask.nonzero()[0].tolist() == [c.eos_id]
    assert not c.allowed_next(enc(["sin", "x", "<eos>"])).any()
    # With max_len, binary operators are refused when no room is left.
    assert not c.allowed_next(enc(["add"]), max_len=3)[c.index["mul"]]
    assert c.allowed_next(enc(["add"]), max_len=3)[c.index["x"]]
    assert c.allowed_next(enc(["add"]), max_len=5)[c.index["mul"]]
    with pytest.raises(ValueError, match="cannot continue this prefix"):
        c.state(enc(["x", "x"]))
    with pytest.raises(ValueError, match="unknown token 'bessel_J'"):
        c.encode(["bessel_J"])
    with pytest.raises(ValueError, match="out of range"):
        c.decode([V])


def test_integer_tokens():
    assert integer_tokens(-120) == ["INT-", "1", "2", "0"]
    assert integer_tokens(0) == ["INT+", "0"]


def test_native_codec_pickles():
    import pickle
    again = pickle.loads(pickle.dumps(native))
    assert again.encode(["x"]) == native.encode(["x"])
