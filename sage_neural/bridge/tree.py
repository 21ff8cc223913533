"""
The part of the expression bridge that knows neither Sage nor SymPy.

Both bridges first describe an expression as a small neutral tree, and this
module writes that tree as prefix tokens. In the other direction it parses
prefix tokens and calls back into a backend to build the expression. Keeping
the token layout in one place guarantees that Sage and SymPy speak exactly the
same language.

Neutral trees are tuples:

- ``("int", n)`` and ``("rat", p, q)`` with ``q > 1``, for exact numbers;
- ``("leaf", token)`` for the variable, a parameter or a constant;
- ``("add", terms)`` and ``("mul", factors)``, with lists of two or more;
- ``("pow", base, exponent)``;
- ``("fn", token, argument)`` for a unary function.

Writing a tree as tokens, a sum with negative terms becomes ``sub``, a
product with a denominator becomes ``div``, and a power of one half becomes
``sqrt``: shorter sequences, and the same expression once the computer
algebra system rebuilds and normalises it.
"""

import operator
from fractions import Fraction

from ..tokens.vocabulary import (
    BINARY_OPERATORS, CONSTANTS, DIGITS, FUNCTIONS, INTEGER_SIGNS, PARAMETERS,
    VARIABLE, integer_tokens,
)

ONE = ("int", 1)

#: Limits on powers of exact numbers evaluated when rebuilding: decoded
#: model output must not make the computer algebra system build a number with
#: millions of digits. An exponent's numerator may not exceed the first; the
#: result may not need more bits than the second.
MAX_INTEGER_EXPONENT = 10_000
MAX_POWER_BITS = 1 << 20

_LEAVES = frozenset((VARIABLE,) + CONSTANTS + PARAMETERS)
_FUNCTIONS = frozenset(FUNCTIONS)
_BINARY = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul,
    "div": operator.truediv, "pow": operator.pow,
}
assert set(_BINARY) == set(BINARY_OPERATORS)


# ----------------------------------------------------------------------
# Neutral tree -> tokens
# ----------------------------------------------------------------------

def number(p, q=1):
    """The neutral node of the rational ``p/q`` (``q > 0``, in lowest terms)."""
    return ("int", p) if q == 1 else ("rat", p, q)


def symbol(name, is_variable, variable):
    """
    The leaf of a symbol named ``name``: the variable token when it is the
    integration ``variable``, its own name when it is a parameter.
    """
    if is_variable:
        return ("leaf", VARIABLE)
    if name == VARIABLE:
        raise ValueError(
            f"cannot tokenize the parameter {name} while integrating in "
            f"{variable}: rename it")
    if name not in PARAMETERS:
        raise ValueError(
            f"unsupported symbol {name}: parameters must be single letters "
            "other than x, E and I")
    return ("leaf", name)


def _numeric_value(node):
    """``(p, q)`` if ``node`` is an exact rational number, else ``None``."""
    if node[0] == "int":
        return node[1], 1
    if node[0] == "rat":
        return node[1], node[2]
    return None


def _split_coefficient(node):
    """
    ``(p, q, rest)``: the rational coefficient of a term and the list of
    its other factors.
    """
    value = _numeric_value(node)
    if value is not None:
        return value[0], value[1], []
    if node[0] != "mul":
        return 1, 1, [node]
    p, q, rest = 1, 1, []
    for factor in node[1]:
        value = _numeric_value(factor)
        if value is None:
            rest.append(factor)
        else:
            p, q = p * value[0], q * value[1]
    return p, q, rest


def _product(factors):
    """A neutral product of ``factors`` (one factor stands alone)."""
    if not factors:
        return ONE
    return factors[0] if len(factors) == 1 else ("mul", factors)


def _negate(node):
    """``-node`` for a term whose coefficient is negative."""
    p, q, rest = _split_coefficient(node)
    if not rest:
        return number(-p, q)
    if p == -1 and q == 1:
        return _product(rest)
    return ("mul", [number(-p, q)] + rest)


def _is_negative(node):
    return _split_coefficient(node)[0] < 0


def _chain(op, nodes, out):
    """Write ``nodes`` joined by the binary ``op``, nested to the right."""
    for node in nodes[:-1]:
        out.append(op)
        _write(node, out)
    _write(nodes[-1], out)


def _inverted_power(node):
    """
    ``base^k`` if ``node`` is ``base^(-k)`` for a positive number ``k`` and
    may be written as a quotient, else ``None``.

    A base that is itself a power keeps its negative exponent: rebuilding
    ``1/(x^x)^2`` lets the computer algebra system merge the exponents into
    ``x^(-2*x)``, which is not the ``(x^x)^(-2)`` it was given.
    """
    if node[0] != "pow" or node[1][0] == "pow":
        return None
    value = _numeric_value(node[2])
    if value is None or value[0] >= 0:
        return None
    positive = number(-value[0], value[1])
    return node[1] if positive == ONE else ("pow", node[1], positive)


def _write_power(base, exponent, out):
    value = _numeric_value(exponent)
    inverted = _inverted_power(("pow", base, exponent))
    if value == (1, 2):
        out.append("sqrt")
        _write(base, out)
    elif inverted is not None:
        # A lone negative power is written as a quotient: x^(-2) -> 1/x^2.
        out.extend(["div"] + integer_tokens(1))
        _write(inverted, out)
    elif value == (1, 1):
        _write(base, out)
    else:
        out.append("pow")
        _write(base, out)
        _write(exponent, out)


def _write_product(factors, out):
    # Separate the numeric coefficient, the numerator and the denominator
    # (powers with a negative exponent).
    p, q, numerator, denominator = 1, 1, [], []
    for factor in factors:
        value = _numeric_value(factor)
        if value is not None:
            p, q = p * value[0], q * value[1]
            continue
        inverted = _inverted_power(factor)
        if inverted is not None:
            denominator.append(inverted)
        else:
            numerator.append(factor)
    # The imaginary unit goes next to the coefficient: multiplying a sum by
    # a lone I last would make Sage distribute it over the sum's terms.
    numerator.sort(key=lambda factor: factor != ("leaf", "I"))
    if not denominator:
        # p*a*b, or p*a*b/q for a rational coefficient.
        factors = ([("int", p)] if p != 1 else []) + numerator
        if q == 1:
            _chain("mul", factors, out)
        else:
            out.append("div")
            _chain("mul", factors or [ONE], out)
            out.extend(integer_tokens(q))
        return
    # With a denominator the coefficient, imaginary unit included,
    # multiplies the whole quotient: a number multiplying a lone sum in the
    # numerator or denominator would be distributed over its terms when the
    # expression is rebuilt.
    coefficient = [number(p, q)] if (p, q) != (1, 1) else []
    while numerator and numerator[0] == ("leaf", "I"):
        coefficient.append(numerator.pop(0))
    if coefficient:
        out.append("mul")
        _write(_product(coefficient), out)
    out.append("div")
    _chain("mul", numerator or [ONE], out)
    _chain("mul", denominator, out)


def _write_sum(terms, out):
    positive = [t for t in terms if not _is_negative(t)]
    negative = [_negate(t) for t in terms if _is_negative(t)]
    if not positive:
        # Keep the first term's sign: -a - b is written (-a) - b.
        positive, negative = [_negate(negative[0])], negative[1:]
    if not negative:
        _chain("add", positive, out)
        return
    out.append("sub")
    _chain("add", positive, out)
    _chain("add", negative, out)


def _write(node, out):
    kind = node[0]
    if kind == "int":
        out.extend(integer_tokens(node[1]))
    elif kind == "rat":
        out.append("div")
        out.extend(integer_tokens(node[1]))
        out.extend(integer_tokens(node[2]))
    elif kind == "leaf":
        out.append(node[1])
    elif kind == "fn":
        out.append(node[1])
        _write(node[2], out)
    elif kind == "pow":
        _write_power(node[1], node[2], out)
    elif kind == "mul":
        _write_product(node[1], out)
    elif kind == "add":
        _write_sum(node[1], out)
    else:
        raise ValueError(f"unknown node {node!r} in a neutral expression tree")


def tree_to_tokens(node):
    """The prefix tokens of a neutral tree."""
    out = []
    _write(node, out)
    return out


def flatten(kind, children):
    """``(kind, children)`` with nested nodes of the same kind merged in."""
    merged = []
    for child in children:
        if child[0] == kind:
            merged.extend(child[1])
        else:
            merged.append(child)
    return (kind, merged)


# ----------------------------------------------------------------------
# Tokens -> expression
# ----------------------------------------------------------------------

def _items(tokens):
    """
    Group ``tokens`` into items: an integer (sign and digits) becomes one
    ``int``; every other token stands for itself.
    """
    items = []
    j, n = 0, len(tokens)
    while j < n:
        token = tokens[j]
        if token in INTEGER_SIGNS:
            k = j + 1
            while k < n and tokens[k] in DIGITS:
                k += 1
            digits = "".join(tokens[j + 1:k])
            if not digits:
                raise ValueError(
                    f"malformed integer at position {j}: {token} must be "
                    "followed by digits")
            if len(digits) > 1 and digits[0] == "0":
                raise ValueError(
                    f"malformed integer at position {j}: leading zero in {digits}")
            value = int(digits)
            if token == "INT-" and value == 0:
                raise ValueError(
                    f"malformed integer at position {j}: negative zero")
            items.append(-value if token == "INT-" else value)
            j = k
        elif token in DIGITS:
            raise ValueError(
                f"malformed prefix expression: digit {token} at position {j} "
                "outside an integer")
        else:
            items.append(token)
            j += 1
    return items


def _multiply(factors):
    """
    The product of ``[(factor, exact value), ...]`` as a computer algebra
    system stores it: the symbolic factors multiplied in order, then the
    numbers, last. Multiplying a lone sum by a number first would distribute
    the number over the sum's terms; multiplying ``a/(b*c)`` as ``a*b^-1*c^-1``
    keeps each factor of the denominator as it was.
    """
    symbolic = [f for f, number in factors if number is None]
    numbers = [f for f, number in factors if number is not None]
    built = None
    for f in symbolic + numbers:
        built = f if built is None else built * f
    return built


def _check_power(base, exponent):
    """
    Refuse ``base^exponent`` for exact numbers when the result would be
    huge; ``base`` and ``exponent`` are lists of Fraction parts (real and
    imaginary) or ``None`` when not exact numbers.
    """
    if base is None or exponent is None or len(exponent) != 1:
        return
    # Only the integer part of a rational exponent is ever multiplied out.
    size = abs(exponent[0].numerator) // exponent[0].denominator
    bits = max(max(abs(f.numerator), f.denominator).bit_length() for f in base)
    if size > MAX_INTEGER_EXPONENT or size * bits > MAX_POWER_BITS:
        raise ValueError(
            f"power of a number with exponent {exponent[0]} is too large to "
            f"build: exponents above {MAX_INTEGER_EXPONENT} are refused")


def parse_prefix(tokens, leaf, integer, function, exact=None):
    """
    Rebuild an expression from prefix ``tokens`` with a backend's builders.

    ``leaf(token)`` builds the variable, a parameter or a constant,
    ``integer(n)`` an integer and ``function(token, argument)`` a unary
    function; the binary operators use Python's arithmetic operators.
    ``exact(value)``, if given, returns the real and imaginary parts of an
    exact number as Fractions (``None`` for anything else); it is used to
    refuse powers that would build huge numbers.

    Raises ``ValueError`` if the tokens are not one well-formed expression.
    """
    tokens = list(tokens)
    if not tokens:
        raise ValueError("malformed prefix expression: no tokens")
    text = " ".join(str(t) for t in tokens)
    exact = exact or (lambda value: None)

    # Prefix notation read from right to left is postfix: every operator
    # finds its arguments on top of the stack, first argument on top. Each
    # entry is (expression, exact value, factors): the exact value when the
    # expression is a number, to refuse huge powers before building them;
    # the factors when it is a product or quotient, [(factor, exact), ...].
    stack = []
    for item in reversed(_items(tokens)):
        if isinstance(item, int):
            stack.append((integer(item), [Fraction(item)], None))
            continue
        factors = None
        if item in _BINARY:
            if len(stack) < 2:
                raise ValueError(
                    f"malformed prefix expression: {item} lacks its arguments "
                    f"in {text}")
            first, first_exact, first_factors = stack.pop()
            second, second_exact, second_factors = stack.pop()
            try:
                if item in ("mul", "div"):
                    factors = first_factors or [(first, first_exact)]
                    right = second_factors or [(second, second_exact)]
                    if item == "div":
                        right = [(f ** -1, exact(f ** -1)) for f, _ in right]
                    factors = factors + right
                    built = _multiply(factors)
                else:
                    if item == "pow":
                        _check_power(first_exact, second_exact)
                    built = _BINARY[item](first, second)
            except ZeroDivisionError as error:
                raise ValueError(f"division by zero in {text}") from error
        elif item in _FUNCTIONS:
            if not stack:
                raise ValueError(
                    f"malformed prefix expression: {item} lacks its argument "
                    f"in {text}")
            built = function(item, stack.pop()[0])
        elif item in _LEAVES:
            built = leaf(item)
        else:
            raise ValueError(f"unknown token {item!r}: not in the vocabulary")
        stack.append((built, exact(built), factors))

    if len(stack) != 1:
        raise ValueError(
            f"malformed prefix expression: {len(stack)} expressions instead "
            f"of one in {text}")
    return stack[0][0]
