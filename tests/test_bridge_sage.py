import pytest
from hypothesis import assume, given

import sage.all__sagemath_symbolics as sg
from sage_neural import from_tokens, to_tokens
from sage_neural.bridge.sage import normalise, structure
from sage_neural.tokens import codec

from expressions import build, recipes, sage_builders

x, y, t, a = sg.SR.var("x y t a")
BUILDERS = sage_builders()


def sage_expression(recipe):
    try:
        expr = normalise(sg.SR(build(recipe, *BUILDERS)))
    except (ZeroDivisionError, ValueError, ArithmeticError, RuntimeError):
        assume(False)
    # Infinities and undefined values are not in the vocabulary, nor the
    # functions that Sage introduces itself, as in abs(2^x) = 2^real_part(x).
    assume(not any(w in str(expr) for w in (
        "Infinity", "NaN", "undefined", "real_part", "imag_part", "arg(",
        "sgn", "csgn")))
    return expr


def assert_identical(rebuilt, original):
    assert structure(rebuilt) == structure(original), (rebuilt, original)
    assert repr(rebuilt) == repr(original)


@given(recipes)
def test_round_trip_random_trees(recipe):
    expr = sage_expression(recipe)
    tokens = to_tokens(expr, variable=x)
    assert codec().is_complete(codec().encode(tokens))
    assert_identical(from_tokens(tokens, variable=x), expr)


@pytest.mark.parametrize("expr", [
    x / 2, -x - y, x - 2 * y, 1 / x, 3 * x / (5 * y**2), sg.sqrt(x),
    sg.sqrt(sg.Integer(8)), sg.e, sg.exp(-x), sg.log(x, 2), sg.SR(2 + 3 * sg.I),
    sg.pi * x, x**(-sg.Integer(1) / 2), -(x + 1)**(sg.Integer(3) / 2) / 7,
    sg.arccoth(x) * sg.abs_symbolic(x), sg.SR(0), sg.SR(-120), x**x,
])
def test_round_trip_examples(expr):
    assert_identical(from_tokens(to_tokens(expr)), expr)


def test_round_trip_complex_power():
    expr = normalise(sg.atanh(sg.Integer(3) / 5)**sg.SR(sg.I))
    assert_identical(from_tokens(to_tokens(expr)), expr)


def test_round_trip_imaginary_unit():
    for expr in [sg.SR(sg.I) * x, x - sg.SR(sg.I) / 3, (1 + 2 * sg.SR(sg.I)) * x**2,
                 sg.log(sg.SR(sg.I)) * sg.atanh(sg.SR(2)),
                 sg.atanh(sg.SR(2)) / sg.log(sg.SR(sg.I))]:
        expr = normalise(expr)
        assert_identical(from_tokens(to_tokens(expr)), expr)


def test_token_layout():
    assert to_tokens(x * sg.cos(x) - sg.Integer(1) / 2) == [
        "sub", "mul", "x", "cos", "x", "div", "INT+", "1", "INT+", "2"]
    assert to_tokens(-sg.Integer(120)) == ["INT-", "1", "2", "0"]
    assert to_tokens(sg.e**x) == ["exp", "x"]
    assert to_tokens(sg.e) == ["E"]


def test_variable_is_written_as_x():
    assert to_tokens(sg.exp(-t), variable=t) == ["exp", "mul", "INT-", "1", "x"]
    # The only variable is taken when none is named.
    assert to_tokens(sg.sin(t)) == ["sin", "x"]
    assert_identical(from_tokens(["sin", "x"], variable=t), sg.sin(t))
    # Other letters are parameters.
    assert to_tokens(a * x) == ["mul", "a", "x"]


@pytest.mark.parametrize("bad, message", [
    (sg.bessel_J(0, x), "unsupported function bessel_J"),
    (sg.gamma(x), "unsupported function gamma"),
    ("x^2", "got the string"),
    (x == 1, "cannot tokenize the relation"),
    (x < 1, "cannot tokenize the relation"),
    (sg.SR(sg.RealNumber("0.5")) * x, "floating-point"),
    (sg.euler_gamma * x, "unsupported constant euler_gamma"),
    (sg.SR.var("alpha") * x, "unsupported symbol alpha"),
    (object(), "expected a symbolic expression"),
])
def test_bad_inputs(bad, message):
    with pytest.raises(ValueError, match=message):
        to_tokens(bad, variable=x)


def test_matrix_is_refused():
    from sage.matrix.constructor import matrix
    with pytest.raises(ValueError, match="got a matrix"):
        to_tokens(matrix(sg.SR, [[x, 1], [0, x]]))


@pytest.mark.parametrize("variable", [2 * x, sg.SR(3), x + 1])
def test_non_variable_is_refused(variable):
    with pytest.raises(ValueError, match="expected a symbolic variable"):
        to_tokens(x**2, variable=variable)


def test_several_variables_need_a_name():
    with pytest.raises(ValueError, match="cannot choose the variable"):
        to_tokens(sg.SR.var("s") * t)


def test_parameter_named_x_with_another_variable():
    with pytest.raises(ValueError, match="parameter x while integrating in t"):
        to_tokens(x * t, variable=t)


@pytest.mark.parametrize("tokens, message", [
    ([], "no tokens"),
    (["add", "x"], "add lacks its arguments"),
    (["x", "x"], "2 expressions instead of one"),
    (["INT+"], "must be followed by digits"),
    (["INT+", "0", "1"], "leading zero"),
    (["INT-", "0"], "negative zero"),
    (["3"], "outside an integer"),
    (["bessel_J", "x"], "unknown token"),
    (["div", "x", "INT+", "0"], "division by zero"),
    (["pow", "INT+", "9", "INT+", "9", "9", "9", "9", "9", "9"], "too large"),
    # The exponent 20^20 is computed first, then refused as an exponent.
    (["pow", "INT+", "2", "pow", "INT+", "2", "0", "INT+", "2", "0"], "too large"),
    (["pow", "pow", "INT+", "9", "INT+", "9", "9", "9", "9", "INT+", "9", "9", "9"],
     "too large"),
])
def test_malformed_tokens(tokens, message):
    with pytest.raises(ValueError, match=message):
        from_tokens(tokens)
