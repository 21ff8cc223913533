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

The target is the formula in a canonical form (:func:`canonical_formula`):
products and sums are multiplied out, so that ``n*(n - 1)``, ``n*n - n``
and ``(n - n + n)*n - n`` are one target, not three that the model would
have to tell apart from the same terms.
"""

import random

from ..bridge.recurrence import Recurrence, parse_recurrence
from ..tokens.sequences import PREVIOUS, term_tokens
from .sampler import ExpressionSampler, SamplerConfig

#: Operators and their weights; ``pow`` is left to products.
OPERATOR_WEIGHTS = {"add": 3.0, "sub": 2.0, "mul": 3.0, "idiv": 0.6, "mod": 0.4}


def _integer_tokens(value):
    return term_tokens([value])


# ---------------------------------------------------------------------------
# Canonical form: polynomials in n, a(n-1), ..., a(n-4) multiplied out, with
# floor division and remainders kept as operators over canonical operands.
# A polynomial is a dict {exponents: coefficient}, the exponents a tuple
# over the variables ("n", then a(n-1), ..., a(n-4)).
# ---------------------------------------------------------------------------

_VARIABLES = 1 + len(PREVIOUS)


def _monomial(index):
    exponents = [0] * _VARIABLES
    exponents[index] = 1
    return {tuple(exponents): 1}


def _combine(p, q, sign):
    out = dict(p)
    for e, c in q.items():
        out[e] = out.get(e, 0) + sign * c
    return {e: c for e, c in out.items() if c}


def _product(p, q):
    out = {}
    for e1, c1 in p.items():
        for e2, c2 in q.items():
            e = tuple(a + b for a, b in zip(e1, e2))
            out[e] = out.get(e, 0) + c1 * c2
    return {e: c for e, c in out.items() if c}


def _polynomial(node):
    """
    ``node`` as a polynomial, or ``None`` when it holds floor division or a
    remainder that does not fold to a constant.
    """
    if node == "n":
        return _monomial(0)
    if isinstance(node, int):
        return {(0,) * _VARIABLES: node} if node else {}
    if node[0] == "u":
        return _monomial(node[1])
    operator, left, right = node
    p, q = _polynomial(left), _polynomial(right)
    if p is None or q is None:
        return None
    if operator == "add":
        return _combine(p, q, 1)
    if operator == "sub":
        return _combine(p, q, -1)
    if operator == "mul":
        return _product(p, q)
    # Floor division and remainders of constants fold; of anything else not.
    constant = (0,) * _VARIABLES
    if set(p) <= {constant} and set(q) <= {constant}:
        a, b = p.get(constant, 0), q.get(constant, 0)
        value = a // b if operator == "idiv" else a % b   # ZeroDivisionError
        return {constant: value} if value else {}
    if operator == "pow" and set(q) <= {constant}:
        out = {constant: 1}
        for _ in range(q.get(constant, 0)):
            out = _product(out, p)
        return out
    return None


def _power_tokens(index, exponent):
    leaf = "n" if index == 0 else PREVIOUS[index - 1]
    if exponent >= 3:
        return ["pow", leaf] + _integer_tokens(exponent)
    return ["mul", leaf, leaf] if exponent == 2 else [leaf]


def _monomial_tokens(exponents, coefficient):
    """``coefficient * monomial`` in prefix tokens; the coefficient may be 1."""
    factors = [_power_tokens(i, e) for i, e in enumerate(exponents) if e]
    if coefficient != 1 or not factors:
        factors.insert(0, _integer_tokens(coefficient))
    tokens = factors[-1]
    for factor in reversed(factors[:-1]):
        tokens = ["mul"] + factor + tokens
    return tokens


def _polynomial_tokens(p):
    """Highest total degree first, then by the exponents; ``sub`` for minus signs."""
    if not p:
        return _integer_tokens(0)
    order = sorted(p, key=lambda e: (-sum(e), tuple(-x for x in e)))
    first = order[0]
    tokens = _monomial_tokens(first, p[first])
    for e in order[1:]:
        c = p[e]
        tokens = (["add"] if c > 0 else ["sub"]) + tokens + _monomial_tokens(e, abs(c))
    return tokens


def _canonical_tokens(node):
    p = _polynomial(node)
    if p is not None:
        return _polynomial_tokens(p)
    operator, left, right = node
    return [operator] + _canonical_tokens(left) + _canonical_tokens(right)


def canonical_formula(tokens):
    """
    The canonical tokens of a formula: the same function of ``n`` and the
    previous terms, with every part free of floor division and remainders
    multiplied out and ordered. A ``ZeroDivisionError`` says that a
    constant part divides by zero.

    EXAMPLES::

        sage: from sage_neural.data.recurrences import canonical_formula
        sage: canonical_formula(['add', 'n', 'sub', 'n', 'n'])
        ['n']
        sage: canonical_formula(['mul', 'sub', 'idiv', 'INT-', '8', 'INT-', '8', 'n', 'n'])
        ['add', 'mul', 'INT-', '1', 'mul', 'n', 'n', 'n']
        sage: canonical_formula(['idiv', 'mul', 'u1', 'add', 'n', 'INT+', '1', 'INT+', '2'])
        ['idiv', 'add', 'mul', 'n', 'u1', 'u1', 'INT+', '2']
    """
    return _canonical_tokens(parse_recurrence(tokens).tree)


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
        try:
            tokens = canonical_formula(self.formula())
        except ZeroDivisionError:
            return None
        recurrence = parse_recurrence(tokens)
        # A formula that folds to a constant gives a constant sequence.
        if not recurrence.order and "n" not in tokens:
            return None
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
