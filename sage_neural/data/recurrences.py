"""
Synthetic (terms, recurrence) pairs for the sequence model, in the manner of
d'Ascoli et al., "Deep Symbolic Regression for Recurrent Sequences" (2022).

A random formula ``a(n) = f(n, a(n-1), ..., a(n-d))`` is drawn with a tree
shape uniform over shapes (the sampler of :mod:`sage_neural.data.sampler`),
its leaves among ``n``, the previous terms and small integers; random initial
terms start it, and the first terms it produces are the model's input. The
formula is the target. Sequences that leave a bounded range, that are
constant, or that the formula cannot produce (division by zero) are
dropped, so that inputs stay short and every pair is exact.
"""

import random

from ..bridge.recurrence import parse_recurrence
from ..tokens.sequences import PREVIOUS, term_tokens
from .sampler import ExpressionSampler, SamplerConfig

#: Operators and their weights; ``pow`` is left to products.
OPERATOR_WEIGHTS = {"add": 3.0, "sub": 2.0, "mul": 3.0, "idiv": 0.6, "mod": 0.4}


def _integer_tokens(value):
    return term_tokens([value])


class RecurrenceSampler:
    """
    Draws ``(term tokens, formula tokens)`` pairs.

    ``max_ops`` bounds the operators of a formula, ``max_order`` its order;
    inputs have ``min_terms .. max_terms`` terms, each below ``10**max_digits``
    in absolute value.
    """

    def __init__(self, seed=None, max_ops=5, max_order=4, min_terms=12, max_terms=20,
                 max_digits=15, max_int=10):
        self.rng = random.Random(seed)
        self.shapes = ExpressionSampler(
            SamplerConfig(unary={}, binary=OPERATOR_WEIGHTS), seed=self.rng.random())
        self.max_ops, self.max_order = max_ops, max_order
        self.min_terms, self.max_terms = min_terms, max_terms
        self.limit, self.max_int = 10 ** max_digits, max_int
        self.attempts = 0

    def _leaf(self, order):
        rng = self.rng
        kinds = ["n", "int"] + (["u"] * 2 if order else [])
        kind = rng.choice(kinds)
        if kind == "n":
            return ["n"]
        if kind == "u":
            # Recent terms are the most common in real recurrences.
            k = min(rng.randint(1, order), rng.randint(1, order))
            return [PREVIOUS[k - 1]]
        return _integer_tokens(rng.randint(1, self.max_int) * rng.choice((1, 1, -1)))

    def formula(self):
        """A random formula's tokens and its order (as written)."""
        rng = self.rng
        order = rng.choice([0] + list(range(1, self.max_order + 1)) * 2)
        operators = rng.randint(1, self.max_ops)
        tokens = []
        for node in self.shapes.sample_shape(operators):
            if node == "b":
                tokens.append(rng.choices(list(OPERATOR_WEIGHTS),
                                          list(OPERATOR_WEIGHTS.values()))[0])
            else:
                tokens.extend(self._leaf(order))
        return tokens

    def sample(self):
        """One pair, or ``None`` when the draw was rejected."""
        self.attempts += 1
        rng = self.rng
        tokens = self.formula()
        recurrence = parse_recurrence(tokens)
        count = rng.randint(self.min_terms, self.max_terms)
        initial = [rng.choice((rng.randint(0, 3), rng.randint(-self.max_int, self.max_int)))
                   for _ in range(recurrence.order)]
        try:
            terms = recurrence.extend(initial, count)
        except ArithmeticError:
            return None
        if any(not -self.limit < t < self.limit for t in terms):
            return None
        # Sequences that settle on one value teach nothing about formulas.
        if len(set(terms[recurrence.order:])) <= 1:
            return None
        return term_tokens(terms), tokens


def recurrence_pairs(seed, size, **settings):
    """``size`` pairs from a sampler seeded with ``seed``, and the draws it took."""
    sampler = RecurrenceSampler(seed=seed, **settings)
    pairs = []
    while len(pairs) < size:
        pair = sampler.sample()
        if pair is not None:
            pairs.append(pair)
    return pairs, sampler.attempts
