"""
Random expressions in prefix tokens, uniform over tree shapes.

Sampling operators one node at a time from the root down would favour some
tree shapes over others: trees would be mostly shallow or mostly deep
depending on the probabilities. Following Lample & Charton (2020, appendix
C), the sampler instead counts, for every state of a partly built tree, how
many complete unary-binary trees can still be reached from it, and chooses
the next operator and its position in proportion to those counts. Every
unary-binary tree shape with the requested number of operators is then
equally likely; operators and leaves are filled in independently.

A partly built tree is described by ``e``, the number of empty slots still
to fill, and ``n``, the number of operators still to place. With
``D(e, n)`` the number of ways to finish it,

    D(0, n) = 0 for n > 0,    D(e, 0) = 1,
    D(e, n) = D(e - 1, n) + D(e, n - 1) + D(e + 1, n - 1),

since the leftmost empty slot is either a leaf, a unary or a binary node
(without unary or without binary operators, that term is left out).
"""

import functools
import random
from dataclasses import dataclass, field

from ..tokens.vocabulary import integer_tokens


@functools.lru_cache(maxsize=None)
def tree_count(empty, operators, unary=True, binary=True):
    """
    ``D(empty, operators)``: the number of ways to finish a tree, with
    unary and binary nodes allowed as the flags say.
    """
    if empty == 0:
        return 1 if operators == 0 else 0
    if operators == 0:
        return 1
    return (tree_count(empty - 1, operators, unary, binary)
            + (tree_count(empty, operators - 1, unary, binary) if unary else 0)
            + (tree_count(empty + 1, operators - 1, unary, binary) if binary else 0))


def shape_count(operators, unary=True, binary=True):
    """The number of tree shapes with ``operators`` internal nodes."""
    return tree_count(1, operators, unary, binary)


@dataclass
class SamplerConfig:
    """
    What the random expressions are made of.

    Weights need not sum to one. ``leaf_weights`` chooses between the
    variable, a parameter, a constant and an integer; integers are drawn
    uniformly from ``-max_int .. max_int`` without zero.
    """

    unary: dict = field(default_factory=lambda: {
        "exp": 1.0, "log": 1.0, "sqrt": 1.0, "sin": 1.0, "cos": 1.0,
        "tan": 1.0, "asin": 0.5, "acos": 0.5, "atan": 0.5, "sinh": 0.5,
        "cosh": 0.5, "tanh": 0.5, "asinh": 0.5, "acosh": 0.5, "atanh": 0.5,
    })
    binary: dict = field(default_factory=lambda: {
        "add": 1.0, "sub": 1.0, "mul": 1.0, "div": 1.0, "pow": 0.5,
    })
    leaf_weights: dict = field(default_factory=lambda: {
        "variable": 3.0, "parameter": 0.0, "constant": 0.0, "integer": 1.0,
    })
    parameters: tuple = ("a", "b", "c")
    constants: tuple = ("pi", "E")
    max_int: int = 5

    def __post_init__(self):
        if not self.unary and not self.binary:
            raise ValueError("expected at least one unary or binary operator")
        if self.max_int < 1:
            raise ValueError(f"max_int must be at least 1, got {self.max_int}")


class ExpressionSampler:
    """
    Draws random expressions as prefix token lists.

    ``operators`` is the number of internal nodes; ``sample_shape`` gives
    only the shape (``"u"``, ``"b"`` and ``"L"`` for unary, binary and leaf
    nodes), ``sample`` a full expression.
    """

    def __init__(self, config=None, seed=None):
        self.config = config or SamplerConfig()
        self.rng = random.Random(seed)
        c = self.config
        self._unary = list(c.unary)
        self._unary_w = [c.unary[k] for k in self._unary]
        self._binary = list(c.binary)
        self._binary_w = [c.binary[k] for k in self._binary]
        self._leaf_kinds = [k for k, w in c.leaf_weights.items() if w > 0]
        self._leaf_w = [c.leaf_weights[k] for k in self._leaf_kinds]
        # Trees may only use arities for which operators were given.
        self._allowed = (bool(self._unary), bool(self._binary))
        self._arities = [a for a, ops in ((1, self._unary), (2, self._binary)) if ops]

    def _next_node(self, empty, operators):
        """
        Choose how many empty slots to skip (they become leaves) and the
        arity of the next operator, in proportion to the number of trees
        each choice leads to.
        """
        choices, weights = [], []
        for skipped in range(empty):
            for arity in self._arities:
                count = tree_count(empty - skipped - 1 + arity, operators - 1,
                                   *self._allowed)
                if count:
                    choices.append((skipped, arity))
                    weights.append(count)
        return self.rng.choices(choices, weights)[0]

    def sample_shape(self, operators):
        """A random shape with ``operators`` internal nodes, in prefix order."""
        if operators < 0:
            raise ValueError(f"expected a non-negative number of operators, got {operators}")
        # The tree is a list of nodes in prefix order; None marks an empty
        # slot. Leaves are placed in the skipped slots, left to right.
        nodes = [None]
        empty, filled_leaves = 1, 0
        for remaining in range(operators, 0, -1):
            skipped, arity = self._next_node(empty, remaining)
            filled_leaves += skipped
            # The slot that receives the operator is the first empty slot
            # after the ``filled_leaves`` that are reserved for leaves.
            slots = [i for i, node in enumerate(nodes) if node is None]
            position = slots[filled_leaves]
            nodes[position:position + 1] = ["u" if arity == 1 else "b"] + [None] * arity
            empty += arity - 1 - skipped
        return ["L" if node is None else node for node in nodes]

    def _leaf(self):
        c = self.config
        kind = self.rng.choices(self._leaf_kinds, self._leaf_w)[0]
        if kind == "variable":
            return ["x"]
        if kind == "parameter":
            return [self.rng.choice(c.parameters)]
        if kind == "constant":
            return [self.rng.choice(c.constants)]
        value = self.rng.randint(1, c.max_int) * self.rng.choice((1, -1))
        return integer_tokens(value)

    def sample(self, operators):
        """A random expression with ``operators`` operators, as tokens."""
        tokens = []
        for node in self.sample_shape(operators):
            if node == "u":
                tokens.append(self.rng.choices(self._unary, self._unary_w)[0])
            elif node == "b":
                tokens.append(self.rng.choices(self._binary, self._binary_w)[0])
            else:
                tokens.extend(self._leaf())
        return tokens
