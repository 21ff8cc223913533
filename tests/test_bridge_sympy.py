import pytest
import sympy
from hypothesis import assume, given

from sage_neural import from_tokens, to_tokens
from sage_neural.bridge import sympy as sympy_bridge
from sage_neural.tokens import codec

from expressions import build, recipes, sympy_builders

x, t = sympy.symbols("x t")
BUILDERS = sympy_builders()


def normalise(expr):
    """
    SymPy's own normal form: the expression rebuilt from its tree until that
    changes nothing (2*Abs(Abs(x)) is built from Abs(Abs(2*x)) but rebuilt
    is 2*Abs(x)).
    """
    for _ in range(10):
        if not expr.args:
            return expr
        rebuilt = expr.func(*[normalise(a) for a in expr.args])
        if sympy.srepr(rebuilt) == sympy.srepr(expr):
            return expr
        expr = rebuilt
    return expr


@given(recipes)
def test_round_trip_random_trees(recipe):
    try:
        expr = normalise(sympy.sympify(build(recipe, *BUILDERS)))
    except (ZeroDivisionError, ValueError, ArithmeticError):
        assume(False)
    assume(not expr.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan))
    assume(not expr.has(sympy.AccumBounds))
    # SymPy evaluates some inputs into functions outside the vocabulary,
    # such as Abs(exp(x)) -> exp(re(x)).
    assume(not expr.has(sympy.re, sympy.im, sympy.arg, sympy.sign))
    tokens = to_tokens(expr)
    assert codec().is_complete(codec().encode(tokens))
    rebuilt = from_tokens(tokens, backend="sympy")
    # Structural identity, not mathematical equality.
    assert rebuilt == expr and sympy.srepr(rebuilt) == sympy.srepr(expr)


def test_same_language_as_sage():
    import sage.all__sagemath_symbolics as sg
    sx = sg.SR.var("x")
    pairs = [
        (x * sympy.cos(x) - sympy.Rational(1, 2), sx * sg.cos(sx) - sg.Integer(1) / 2),
        (sympy.sqrt(x) / 3, sg.sqrt(sx) / 3),
        (sympy.exp(-x), sg.exp(-sx)),
        (sympy.asin(x) + sympy.pi, sg.arcsin(sx) + sg.pi),
    ]
    for sympy_expr, sage_expr in pairs:
        assert to_tokens(sympy_expr) == to_tokens(sage_expr)


def test_variable():
    assert to_tokens(sympy.exp(t), variable=t) == ["exp", "x"]
    assert from_tokens(["exp", "x"], variable=t, backend="sympy") == sympy.exp(t)


@pytest.mark.parametrize("bad, message", [
    (sympy.besselj(0, x), "unsupported function besselj"),
    ("x**2", "got the string"),
    (sympy.Eq(x, 1), "cannot tokenize the relation"),
    (sympy.Matrix([[x]]), "got a matrix"),
    (sympy.Float(0.5) * x, "floating-point"),
    (sympy.Symbol("alpha") * x, "unsupported symbol alpha"),
])
def test_bad_inputs(bad, message):
    with pytest.raises(ValueError, match=message):
        sympy_bridge.to_tokens(bad)


def test_non_variable_is_refused():
    with pytest.raises(ValueError, match="expected a SymPy Symbol"):
        sympy_bridge.to_tokens(x**2, variable=2 * x)
