"""
SymPy expressions <-> prefix tokens, in the same language as the Sage bridge.

The data generator can work with SymPy alone where that is faster or where
Sage is not installed. SymPy is imported on first use.
"""

import functools
from fractions import Fraction

from ..tokens.vocabulary import VARIABLE
from . import tree

_SYMPY_NAMES = {
    "exp": "exp", "log": "log", "sqrt": "sqrt", "abs": "Abs",
    "sin": "sin", "cos": "cos", "tan": "tan", "cot": "cot", "sec": "sec",
    "csc": "csc", "asin": "asin", "acos": "acos", "atan": "atan",
    "acot": "acot", "asec": "asec", "acsc": "acsc",
    "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "coth": "coth",
    "sech": "sech", "csch": "csch", "asinh": "asinh", "acosh": "acosh",
    "atanh": "atanh", "acoth": "acoth", "asech": "asech", "acsch": "acsch",
}


@functools.lru_cache(maxsize=None)
def _sympy():
    import sympy

    functions = {t: getattr(sympy, n) for t, n in _SYMPY_NAMES.items()}
    # Function class -> token, for reading expressions.
    classes = {f: t for t, f in functions.items() if t != "sqrt"}
    return sympy, functions, classes


def _check_variable(variable):
    sympy = _sympy()[0]
    if variable is None:
        return sympy.Symbol(VARIABLE)
    if isinstance(variable, str):
        return sympy.Symbol(variable)
    if not isinstance(variable, sympy.Symbol):
        raise ValueError(
            f"cannot use {variable} as the variable: expected a SymPy Symbol")
    return variable


def _to_tree(expr, variable):
    sympy, _, classes = _sympy()
    if expr.is_Integer:
        return ("int", int(expr))
    if expr.is_Rational:
        return tree.number(int(expr.p), int(expr.q))
    if expr.is_Symbol:
        return tree.symbol(expr.name, expr == variable, variable)
    if expr is sympy.pi:
        return ("leaf", "pi")
    if expr is sympy.E:
        return ("leaf", "E")
    if expr is sympy.I:
        return ("leaf", "I")
    if expr.is_Float:
        raise ValueError(
            f"unsupported number {expr}: floating-point numbers are not in "
            "the vocabulary; use exact rationals such as 1/2")
    if expr.is_Add:
        return tree.flatten("add", [_to_tree(a, variable) for a in expr.args])
    if expr.is_Mul:
        return tree.flatten("mul", [_to_tree(a, variable) for a in expr.args])
    if expr.is_Pow:
        base, exponent = expr.args
        return ("pow", _to_tree(base, variable), _to_tree(exponent, variable))
    token = classes.get(expr.func)
    if token is not None and len(expr.args) == 1:
        return ("fn", token, _to_tree(expr.args[0], variable))
    if isinstance(expr, sympy.core.function.Application):
        raise ValueError(
            f"unsupported function {expr.func.__name__} in {expr}: it is not "
            "in the vocabulary")
    raise ValueError(f"unsupported expression {expr} of type {type(expr).__name__}")


def to_tokens(expr, variable=None):
    """
    Prefix tokens of the SymPy expression ``expr``; ``variable`` (default:
    the symbol ``x``) is written as ``x``.

    >>> import sympy
    >>> from sage_neural.bridge.sympy import to_tokens
    >>> x = sympy.Symbol('x')
    >>> to_tokens(x*sympy.cos(x) - sympy.Rational(1, 2))
    ['sub', 'mul', 'x', 'cos', 'x', 'div', 'INT+', '1', 'INT+', '2']
    """
    sympy = _sympy()[0]
    if isinstance(expr, str):
        raise ValueError(
            f"expected a SymPy expression, got the string {expr!r}: parse it "
            f"first, for example with sympy.sympify({expr!r})")
    if isinstance(expr, sympy.MatrixBase):
        raise ValueError(
            "expected a SymPy expression, got a matrix: tokenize its entries "
            "one at a time")
    if isinstance(expr, sympy.core.relational.Relational):
        raise ValueError(
            f"cannot tokenize the relation {expr}: expected an expression, "
            "not an equation or inequality")
    if isinstance(expr, int):
        expr = sympy.Integer(expr)
    if not isinstance(expr, sympy.Expr):
        raise ValueError(
            f"expected a SymPy expression, got {type(expr).__name__}: {expr!r}")
    return tree.tree_to_tokens(_to_tree(expr, _check_variable(variable)))


def from_tokens(tokens, variable=None):
    """
    The SymPy expression written by the prefix ``tokens``; the token ``x``
    becomes ``variable`` (default: the symbol ``x``).

    >>> from sage_neural.bridge.sympy import from_tokens
    >>> from_tokens(['mul', 'x', 'cos', 'x'])
    x*cos(x)
    """
    sympy, functions, _ = _sympy()
    variable = _check_variable(variable)
    leaves = {"x": variable, "pi": sympy.pi, "E": sympy.E, "I": sympy.I}

    def leaf(token):
        found = leaves.get(token)
        return sympy.Symbol(token) if found is None else found

    def function(token, argument):
        return functions[token](argument)

    def exact(value):
        if getattr(value, "is_Rational", False):
            return [Fraction(int(value.p), int(value.q))]
        if getattr(value, "is_number", False):
            real, imag = value.as_real_imag()
            if real.is_Rational and imag.is_Rational:
                return [Fraction(int(real.p), int(real.q)),
                        Fraction(int(imag.p), int(imag.q))]
        return None

    return sympy.sympify(
        tree.parse_prefix(tokens, leaf, sympy.Integer, function, exact))
