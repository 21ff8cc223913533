"""
Hypothesis strategies for random expression trees, built with Sage's and
SymPy's own functions (not with the bridge under test).
"""

from hypothesis import strategies as st

UNARY = ["sqrt", "exp", "log", "sin", "cos", "tan", "cot", "sec", "csc",
         "asin", "acos", "atan", "acot", "asec", "acsc", "sinh", "cosh",
         "tanh", "coth", "sech", "csch", "asinh", "acosh", "atanh", "acoth",
         "asech", "acsch", "abs"]
BINARY = ["add", "sub", "mul", "div", "pow"]

leaves = st.one_of(
    st.sampled_from(["x", "x", "x", "a", "b", "pi", "E", "I"]).map(lambda s: ("leaf", s)),
    st.integers(-12, 12).map(lambda n: ("int", n)),
    st.tuples(st.integers(-7, 7), st.integers(1, 7)).map(lambda pq: ("rat", *pq)),
)


def _extend(children):
    return st.one_of(
        st.tuples(st.sampled_from(UNARY), children),
        st.tuples(st.sampled_from(BINARY[:4]), children, children),
        # Exponents stay small so that no test builds huge integers.
        st.tuples(st.just("pow"), children, leaves),
    )


#: Recipes: nested tuples to be built by :func:`build`.
recipes = st.recursive(leaves, _extend, max_leaves=12)


def build(recipe, leaf, number, function):
    """Build a recipe with a backend's leaf, number and function makers."""
    kind = recipe[0]
    if kind == "leaf":
        return leaf(recipe[1])
    if kind == "int":
        return number(recipe[1], 1)
    if kind == "rat":
        return number(recipe[1], recipe[2])
    if len(recipe) == 2:
        return function(kind, build(recipe[1], leaf, number, function))
    a = build(recipe[1], leaf, number, function)
    b = build(recipe[2], leaf, number, function)
    if kind == "add":
        return a + b
    if kind == "sub":
        return a - b
    if kind == "mul":
        return a * b
    if kind == "div":
        return a / b
    return a ** b


def sage_builders():
    import sage.all__sagemath_symbolics as sg

    names = {"asin": "arcsin", "acos": "arccos", "atan": "arctan",
             "acot": "arccot", "asec": "arcsec", "acsc": "arccsc",
             "asinh": "arcsinh", "acosh": "arccosh", "atanh": "arctanh",
             "acoth": "arccoth", "asech": "arcsech", "acsch": "arccsch",
             "abs": "abs_symbolic"}
    leaves = {"x": sg.SR.var("x"), "a": sg.SR.var("a"), "b": sg.SR.var("b"),
              "pi": sg.pi, "E": sg.e, "I": sg.SR(sg.I)}
    return (leaves.__getitem__,
            lambda p, q: sg.SR(sg.Integer(p) if q == 1 else sg.Integer(p) / q),
            lambda name, arg: getattr(sg, names.get(name, name))(arg))


def sympy_builders():
    import sympy

    names = {"abs": "Abs"}
    leaves = {"x": sympy.Symbol("x"), "a": sympy.Symbol("a"),
              "b": sympy.Symbol("b"), "pi": sympy.pi, "E": sympy.E,
              "I": sympy.I}
    return (leaves.__getitem__,
            lambda p, q: sympy.Rational(p, q),
            lambda name, arg: getattr(sympy, names.get(name, name))(arg))
