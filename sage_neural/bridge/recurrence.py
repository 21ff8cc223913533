"""
Recurrences in the sequence language (:mod:`sage_neural.tokens.sequences`)
as exact integer functions.

A formula ``a(n) = f(n, a(n-1), ..., a(n-d))`` in prefix tokens is parsed
into a small tree and evaluated with Python integers only: no floating
point, no simplification, so that what is checked against the data is
exactly what is extended.
"""

from dataclasses import dataclass

from ..tokens.sequences import BASE, OPERATORS, PREVIOUS, sequence_codec

#: Largest exponent ``pow`` accepts, and the most digits any value may have:
#: beyond them evaluation stops with an ``ArithmeticError`` instead of
#: spending unbounded time and memory.
MAX_EXPONENT = 64
MAX_DIGITS = 2000
_LIMIT = 10 ** MAX_DIGITS


@dataclass(frozen=True)
class Recurrence:
    """
    A parsed formula: ``tree`` is nested tuples ``(operator, left, right)``
    with leaves ``"n"``, ``("u", k)`` for a(n-k), and ints; ``order`` is the
    largest ``k`` used (0 for a closed form).
    """

    tree: object
    order: int
    size: int      # number of tokens

    def value(self, n, previous):
        """``a(n)``, where ``previous[k - 1]`` is a(n-k)."""
        return _evaluate(self.tree, n, previous)

    def extend(self, initial, count):
        """
        The first ``count`` terms: ``initial`` (at least ``order`` terms) for
        the first ``order`` indices, the formula from there on.
        """
        if len(initial) < self.order:
            raise ValueError(f"a recurrence of order {self.order} needs "
                             f"{self.order} initial terms, got {len(initial)}")
        terms = [int(t) for t in initial[:self.order]]
        for n in range(self.order, count):
            terms.append(self.value(n, terms[:-self.order - 1:-1] if self.order else ()))
        return terms[:count]

    def __str__(self):
        return f"a(n) = {_text(self.tree, 0)}"


def parse_recurrence(tokens):
    """
    The :class:`Recurrence` written by ``tokens``; a ``ValueError`` says
    what is wrong with an ill-formed list.

    EXAMPLES::

        sage: from sage_neural.bridge.recurrence import parse_recurrence
        sage: r = parse_recurrence(['add', 'u1', 'u2'])
        sage: print(r)
        a(n) = a(n-1) + a(n-2)
        sage: r.order
        2
        sage: r.extend([0, 1], 10)
        [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
        sage: print(parse_recurrence(['mul', 'n', 'sub', 'n', 'INT+', '1']))
        a(n) = n*(n - 1)
    """
    tokens = list(tokens)
    c = sequence_codec()
    ids = c.encode(tokens)
    position = 0
    order = 0

    def read():
        nonlocal position, order
        if position >= len(tokens):
            raise ValueError(f"incomplete formula {' '.join(tokens)!r}")
        token = tokens[position]
        position += 1
        if token in OPERATORS:
            left = read()
            return (token, left, read())
        if token == "n":
            return "n"
        if token in PREVIOUS:
            k = PREVIOUS.index(token) + 1
            order = max(order, k)
            return ("u", k)
        if token in ("INT+", "INT-"):
            start = position - 1
            while position < len(tokens) and tokens[position].isdigit():
                position += 1
            values = c.decode_integers(ids[start:position], BASE)
            if len(values) != 1:
                raise ValueError(f"malformed integer in {' '.join(tokens)!r}")
            return values[0]
        raise ValueError(f"unexpected token {token!r} in a formula")

    tree = read()
    if position != len(tokens):
        raise ValueError(f"tokens left over after a complete formula: "
                         f"{' '.join(tokens[position:])!r}")
    return Recurrence(tree, order, len(tokens))


def _evaluate(node, n, previous):
    if node == "n":
        return n
    if isinstance(node, int):
        return node
    if node[0] == "u":
        return previous[node[1] - 1]
    operator, left, right = node
    a = _evaluate(left, n, previous)
    b = _evaluate(right, n, previous)
    if operator == "add":
        value = a + b
    elif operator == "sub":
        value = a - b
    elif operator == "mul":
        value = a * b
    elif operator == "idiv":
        value = a // b           # ZeroDivisionError is an ArithmeticError
    elif operator == "mod":
        value = a % b
    else:
        if not 0 <= b <= MAX_EXPONENT:
            raise ArithmeticError(f"exponent {b} outside 0..{MAX_EXPONENT}")
        value = a ** b
    if not -_LIMIT < value < _LIMIT:
        raise ArithmeticError(f"a value with more than {MAX_DIGITS} digits")
    return value


_SYMBOLS = {"add": (" + ", 1), "sub": (" - ", 1), "mul": ("*", 2),
            "idiv": (None, 3), "mod": (None, 3), "pow": ("^", 4)}


def _text(node, context):
    """Infix text; ``context`` is the binding strength around the node."""
    if node == "n":
        return "n"
    if isinstance(node, int):
        return str(node) if node >= 0 or context == 0 else f"({node})"
    if node[0] == "u":
        return f"a(n-{node[1]})"
    operator, left, right = node
    if operator in ("idiv", "mod"):
        name = "floor" if operator == "idiv" else "mod"
        inner = (f"{_text(left, 2)}/{_text(right, 3)}" if operator == "idiv"
                 else f"{_text(left, 0)}, {_text(right, 0)}")
        return f"{name}({inner})"
    symbol, strength = _SYMBOLS[operator]
    # Right operands of - and of ^ need brackets at equal strength.
    right_context = strength + (operator in ("sub", "pow"))
    text = f"{_text(left, strength + (operator == 'pow'))}{symbol}{_text(right, right_context)}"
    return f"({text})" if strength < context else text
