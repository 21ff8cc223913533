"""
Sage symbolic expressions <-> prefix tokens.

Sage is imported when a function here is first called, never when the
package is imported.
"""

import functools
import logging
from fractions import Fraction

from ..tokens.vocabulary import VARIABLE
from . import tree

logger = logging.getLogger(__name__)

#: Sage's function names that differ from the vocabulary's tokens.
_SAGE_TO_TOKEN = {
    "arcsin": "asin", "arccos": "acos", "arctan": "atan",
    "arccot": "acot", "arcsec": "asec", "arccsc": "acsc",
    "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh",
    "arccoth": "acoth", "arcsech": "asech", "arccsch": "acsch",
}
_TOKEN_TO_SAGE = {t: s for s, t in _SAGE_TO_TOKEN.items()}

_SAME_NAME = (
    "exp", "log", "sin", "cos", "tan", "cot", "sec", "csc",
    "sinh", "cosh", "tanh", "coth", "sech", "csch", "abs",
)


@functools.lru_cache(maxsize=None)
def _sage():
    """The pieces of Sage the bridge needs, imported once on first use."""
    try:
        import sage.all__sagemath_symbolics as sage_all
    except ValueError as error:
        # Sage installs signal handlers on import, which fails outside the
        # main thread; that must not pass for a bad expression.
        raise RuntimeError(
            f"cannot import Sage here ({error}): import "
            "sage.all__sagemath_symbolics from the main thread first") from error
    from sage.symbolic.expression import Expression
    from sage.symbolic.operators import add_vararg, mul_vararg
    import operator

    functions = {}
    for token in _SAME_NAME + tuple(_TOKEN_TO_SAGE):
        name = _TOKEN_TO_SAGE.get(token, token)
        functions[token] = sage_all.abs_symbolic if name == "abs" else getattr(
            sage_all, name)
    functions["sqrt"] = sage_all.sqrt
    return {
        "SR": sage_all.SR,
        "Integer": sage_all.Integer,
        "Expression": Expression,
        "add": add_vararg,
        "mul": mul_vararg,
        "pow": operator.pow,
        "functions": functions,
        "pi": sage_all.pi,
        "e": sage_all.e,
        "I": sage_all.SR(sage_all.I),
        "QQ": sage_all.QQ,
    }


def _as_expression(expr):
    """``expr`` as an element of Sage's symbolic ring, or a ``ValueError``."""
    s = _sage()
    if isinstance(expr, str):
        raise ValueError(
            f"expected a symbolic expression, got the string {expr!r}: "
            f"parse it first, for example with SR({expr!r})")
    if isinstance(expr, s["Expression"]):
        return expr
    if hasattr(expr, "nrows") and hasattr(expr, "ncols"):
        raise ValueError(
            "expected a symbolic expression, got a matrix: tokenize its "
            "entries one at a time")
    try:
        return s["SR"].coerce(expr)
    except (TypeError, ValueError):
        raise ValueError(
            f"expected a symbolic expression, got {type(expr).__name__}: "
            f"{expr!r}") from None


def _check_variable(variable):
    s = _sage()
    if isinstance(variable, str):
        variable = s["SR"].var(variable)
    if not isinstance(variable, s["Expression"]) or not variable.is_symbol():
        raise ValueError(
            f"cannot use {variable} as the variable: expected a symbolic "
            "variable")
    return variable


def default_variable(expr):
    """
    The variable to integrate in when none is named: ``x`` if it occurs (or
    nothing occurs), else the only variable of ``expr``.
    """
    s = _sage()
    names = [str(v) for v in expr.variables()]
    if not names or VARIABLE in names:
        return s["SR"].var(VARIABLE)
    if len(names) == 1:
        return expr.variables()[0]
    raise ValueError(
        f"cannot choose the variable among {', '.join(names)}: name it, for "
        "example variable=" + names[0])


def _numeric_tree(value, text):
    s = _sage()
    QQ = s["QQ"]
    if value in QQ:
        q = QQ(value)
        return tree.number(int(q.numerator()), int(q.denominator()))
    # Gaussian rationals a + b*I are the only other exact numbers allowed.
    try:
        real, imag = QQ(value.real()), QQ(value.imag())
    except (TypeError, ValueError, AttributeError, ArithmeticError):
        raise ValueError(
            f"unsupported number {text}: only exact rationals and Gaussian "
            "rationals are in the vocabulary (write 1/2, not 0.5)") from None
    imaginary = ("leaf", "I")
    if imag != 1:
        imaginary = ("mul", [tree.number(int(imag.numerator()),
                                         int(imag.denominator())), imaginary])
    if real == 0:
        return imaginary
    return ("add", [tree.number(int(real.numerator()), int(real.denominator())),
                    imaginary])


def _to_tree(expr, variable):
    s = _sage()

    if expr.is_numeric():
        value = expr.pyobject()
        if isinstance(value, s["Expression"]):
            # A symbolic number held as a number, as abs(1 + I) = sqrt(2).
            return _to_tree(value, variable)
        if isinstance(value, float) or "Real" in type(value).__name__ or (
                "Complex" in type(value).__name__):
            raise ValueError(
                f"unsupported number {expr}: floating-point numbers are not "
                "in the vocabulary; use exact rationals such as 1/2")
        return _numeric_tree(value, str(expr))

    if expr.is_symbol():
        return tree.symbol(str(expr), expr.is_trivially_equal(variable), variable)

    op = expr.operator()
    if op is None:
        # A named constant such as pi, euler_gamma or golden_ratio.
        if expr.is_trivially_equal(s["pi"]):
            return ("leaf", "pi")
        raise ValueError(f"unsupported constant {expr}: only pi, e and I are "
                         "in the vocabulary")

    operands = expr.operands()
    if op is s["add"]:
        return tree.flatten("add", [_to_tree(a, variable) for a in operands])
    if op is s["mul"]:
        return tree.flatten("mul", [_to_tree(a, variable) for a in operands])
    if op is s["pow"]:
        base, exponent = operands
        return ("pow", _to_tree(base, variable), _to_tree(exponent, variable))

    name = getattr(op, "name", lambda: repr(op))()
    if name == "exp" and operands[0].is_trivially_equal(1):
        return ("leaf", "E")
    token = _SAGE_TO_TOKEN.get(name, name)
    if token in s["functions"] and len(operands) == 1:
        return ("fn", token, _to_tree(operands[0], variable))
    raise ValueError(
        f"unsupported function {name} in {expr}: it is not in the vocabulary")


def to_tokens(expr, variable=None):
    """
    Prefix tokens of the Sage expression ``expr``; ``variable`` is written
    as ``x``.

    INPUT:

    - ``expr`` -- a symbolic expression (or anything that coerces into
      Sage's symbolic ring, such as an integer or a polynomial)
    - ``variable`` -- (default: ``x``, or the only variable of ``expr``)
      the integration variable

    OUTPUT: a list of token strings

    EXAMPLES::

        sage: from sage_neural import to_tokens
        sage: x = SR.var('x')
        sage: to_tokens(x*cos(x) - 1/2)
        ['sub', 'mul', 'x', 'cos', 'x', 'div', 'INT+', '1', 'INT+', '2']
        sage: t = SR.var('t')
        sage: to_tokens(exp(-t), variable=t)
        ['exp', 'mul', 'INT-', '1', 'x']
        sage: to_tokens(bessel_J(0, x))
        Traceback (most recent call last):
        ...
        ValueError: unsupported function bessel_J in bessel_J(0, x): it is not in the vocabulary
    """
    expr = _as_expression(expr)
    if expr.is_relational():
        raise ValueError(
            f"cannot tokenize the relation {expr}: expected an expression, "
            "not an equation or inequality")
    variable = default_variable(expr) if variable is None else _check_variable(
        variable)
    return tree.tree_to_tokens(_to_tree(expr, variable))


def from_tokens(tokens, variable=None):
    """
    The Sage expression written by the prefix ``tokens``; the token ``x``
    becomes ``variable``.

    INPUT:

    - ``tokens`` -- a sequence of token strings, as from :func:`to_tokens`
    - ``variable`` -- (default: ``x``) the symbolic variable for ``x``

    OUTPUT: a symbolic expression

    EXAMPLES::

        sage: from sage_neural import from_tokens, to_tokens
        sage: from_tokens(['mul', 'x', 'cos', 'x'])
        x*cos(x)
        sage: f = sqrt(x)*log(x + 1)/3
        sage: from_tokens(to_tokens(f)).is_trivially_equal(f)
        True
        sage: from_tokens(['add', 'x'])
        Traceback (most recent call last):
        ...
        ValueError: malformed prefix expression: add lacks its arguments in add x
    """
    s = _sage()
    SR = s["SR"]
    variable = SR.var(VARIABLE) if variable is None else _check_variable(variable)
    leaves = {"x": variable, "pi": s["pi"], "E": s["e"], "I": s["I"]}

    def leaf(token):
        found = leaves.get(token)
        return SR.var(token) if found is None else found

    def function(token, argument):
        return s["functions"][token](argument)

    def integer(n):
        # Symbolic, as in a rebuilt Sage tree: log(SR(4)) stays log(4),
        # whereas log(Integer(4)) would become 2*log(2).
        return SR(s["Integer"](n))

    QQ = s["QQ"]

    def exact(value):
        if not (hasattr(value, "is_numeric") and value.is_numeric()):
            return None
        number = value.pyobject()
        try:
            parts = [QQ(number)] if number in QQ else [
                QQ(number.real()), QQ(number.imag())]
        except (TypeError, ValueError, AttributeError, ArithmeticError):
            return None
        return [Fraction(int(q.numerator()), int(q.denominator())) for q in parts]

    try:
        built = tree.parse_prefix(tokens, leaf, integer, function, exact)
    except RuntimeError as error:
        # Sage's arithmetic reports e.g. "indeterminate expression:
        # infinity * f(x) encountered" as a RuntimeError.
        raise ValueError(f"cannot build the expression: {error}") from error
    return SR(built)


def structure(expr):
    """
    The tree of a symbolic expression as nested tuples: the operator and
    its operands, numbers with the type Sage keeps them in. Two expressions
    are identical when their structures are equal.

    (``is_trivially_equal`` is no test of identity: it can answer ``False``
    for two identical trees such as ``sqrt(2)*sqrt(1/2)*sqrt(log(2))``.)

    EXAMPLES::

        sage: from sage_neural.bridge.sage import structure
        sage: structure(x + 1)
        ('add_vararg', (('Expression', 'x'), ('Integer', '1')))
    """
    op = expr.operator()
    if op is None:
        value = expr.pyobject() if expr.is_numeric() else expr
        return (type(value).__name__, str(value))
    return (getattr(op, "__name__", None) or str(op),
            tuple(structure(a) for a in expr.operands()))


def normalise(expr):
    """
    Sage's own normal form of ``expr``: the expression rebuilt from its tree
    with Sage's operators until that changes nothing, numbers rebuilt as
    integers or rationals where they are.

    Sage does not always normalise what it produces itself: ``tan(pi - 1)``
    gives ``tan(-1)``, which rebuilt is ``-tan(1)``; ``atanh(3/5)`` gives
    ``1/2*log(4)`` with a rational 4, while the log of the integer 4 is
    ``2*log(2)``; ``abs(1 + I)`` is ``sqrt(2)`` held as a number, rebuilt
    as the expression ``sqrt(2)``. The round trip through tokens is exact on
    normal forms.

    EXAMPLES::

        sage: from sage_neural.bridge.sage import normalise
        sage: normalise(tan(pi - 1))
        -tan(1)
    """
    s = _sage()
    QQ = s["QQ"]
    for _ in range(10):
        op = expr.operator()
        if op is None:
            if expr.is_numeric() and isinstance(expr.pyobject(), s["Expression"]):
                return normalise(expr.pyobject())
            if expr.is_numeric() and expr.pyobject() in QQ:
                q = QQ(expr.pyobject())
                return s["SR"](q.numerator() if q.denominator() == 1 else q)
            return expr
        rebuilt = s["SR"](op(*[normalise(a) for a in expr.operands()]))
        if structure(rebuilt) == structure(expr):
            return expr
        expr = rebuilt
    return expr
