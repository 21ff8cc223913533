import collections
import math

import pytest

from sage_neural.data.sampler import (
    ExpressionSampler, SamplerConfig, shape_count, tree_count,
)
from sage_neural.tokens import codec


def test_counts():
    # Unary-binary shapes are counted by the large Schroeder numbers, binary
    # ones by the Catalan numbers.
    assert [shape_count(n) for n in range(7)] == [1, 2, 6, 22, 90, 394, 1806]
    assert [shape_count(n, unary=False) for n in range(7)] == [1, 1, 2, 5, 14, 42, 132]
    assert [shape_count(n, binary=False) for n in range(5)] == [1, 1, 1, 1, 1]
    assert tree_count(0, 3) == 0


@pytest.mark.parametrize("operators, unary, binary", [
    (3, True, True), (4, True, True), (4, False, True),
])
def test_shapes_are_uniform(operators, unary, binary):
    config = SamplerConfig(unary={"sin": 1} if unary else {},
                           binary={"add": 1} if binary else {})
    sampler = ExpressionSampler(config, seed=12345)
    draws = 200 * shape_count(operators, unary, binary)
    counts = collections.Counter(
        tuple(sampler.sample_shape(operators)) for _ in range(draws))

    # Every shape occurs, and no other, about equally often.
    assert len(counts) == shape_count(operators, unary, binary)
    assert chi_square_is_uniform(counts, len(counts))


def chi_square_is_uniform(counts, k):
    """
    Chi-square goodness of fit against the uniform distribution over ``k``
    outcomes: with k - 1 degrees of freedom the statistic exceeds
    k - 1 + 5*sqrt(2(k-1)) with negligible probability.
    """
    draws = sum(counts.values())
    expected = draws / k
    chi2 = sum((c - expected) ** 2 / expected for c in counts.values())
    chi2 += expected * (k - len(counts))  # shapes never drawn
    return chi2 < (k - 1) + 5 * math.sqrt(2 * (k - 1))


class UnweightedSampler(ExpressionSampler):
    """The tempting mistake: every (position, arity) choice equally likely."""

    def _next_node(self, empty, operators):
        choices = [(skipped, arity) for skipped in range(empty)
                   for arity in self._arities
                   if tree_count(empty - skipped - 1 + arity, operators - 1)]
        return self.rng.choice(choices)


def test_unweighted_sampling_fails_the_check():
    sampler = UnweightedSampler(seed=1)
    draws = 200 * shape_count(4)
    counts = collections.Counter(tuple(sampler.sample_shape(4)) for _ in range(draws))
    assert not chi_square_is_uniform(counts, shape_count(4))


def test_samples_are_well_formed():
    sampler = ExpressionSampler(SamplerConfig(leaf_weights={
        "variable": 1, "parameter": 1, "constant": 1, "integer": 1}), seed=7)
    c = codec()
    for n in range(0, 15):
        tokens = sampler.sample(n)
        assert c.is_complete(c.encode(tokens)), tokens
        operators = sum(c.kinds[c.index[t]] in (2, 3) for t in tokens)
        assert operators == n


def test_seed_reproduces():
    assert ExpressionSampler(seed=3).sample(8) == ExpressionSampler(seed=3).sample(8)
