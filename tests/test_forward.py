"""Forward generation of integration pairs: integrate with Sage, verify, keep."""

import multiprocessing
import time

import pytest

sg = pytest.importorskip("sage.all__sagemath_symbolics")

from sage_neural import from_tokens  # noqa: E402
from sage_neural.data.forward import forward_pair  # noqa: E402
from sage_neural.data.sampler import ExpressionSampler  # noqa: E402
from sage_neural.integration.verify import verify_antiderivative  # noqa: E402

x = sg.SR.var("x")


def test_simple_integrand_gives_a_verified_pair():
    pair = forward_pair(["mul", "x", "cos", "x"])
    assert pair is not None
    integrand_tokens, antiderivative_tokens = pair
    assert integrand_tokens == ["mul", "x", "cos", "x"]
    f, F = from_tokens(integrand_tokens), from_tokens(antiderivative_tokens)
    assert bool((F.derivative(x) - f).simplify_full() == 0)
    assert verify_antiderivative(f, F, x).verified


def test_integrand_is_returned_in_normal_form():
    # x + x is written 2*x once Sage has built it.
    integrand_tokens, antiderivative_tokens = forward_pair(["add", "x", "x"])
    assert integrand_tokens == ["mul", "INT+", "2", "x"]
    assert antiderivative_tokens == ["pow", "x", "INT+", "2"]


def test_non_elementary_antiderivative_gives_none():
    # Sage answers with erf, which is outside the vocabulary.
    assert forward_pair(["exp", "pow", "x", "INT+", "2"]) is None


def test_invalid_integrand_gives_none():
    assert forward_pair(["div", "x", "INT+", "0"]) is None


def test_time_limit_gives_none_instead_of_hanging():
    # Maxima and then Giac spend seconds on exp(cos(x)) before giving up.
    start = time.monotonic()
    assert forward_pair(["exp", "cos", "x"], seconds=0.05) is None
    assert time.monotonic() - start < 2
    assert multiprocessing.active_children() == []


def test_giac_chatter_stays_in_the_child(capfd):
    # Sage prints "Warning: unable to find infinity integer solutions ..."
    # within the first second on this integrand.
    forward_pair(["div", "x", "tan", "div", "sqrt", "x", "x"], seconds=2)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_sampled_pairs_verify():
    sampler = ExpressionSampler(seed=1)
    pairs = [forward_pair(sampler.sample(n), seconds=2) for n in (1, 1, 2, 2, 3)]
    kept = [pair for pair in pairs if pair is not None]
    assert kept
    for integrand_tokens, antiderivative_tokens in kept:
        f, F = from_tokens(integrand_tokens), from_tokens(antiderivative_tokens)
        assert verify_antiderivative(f, F, x, seed=1).verified
