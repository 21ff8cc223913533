"""
Registration of the neural integrator with Sage's ``integrate``, by an
explicit call (importing sage_neural changes nothing in Sage).
"""

import logging

logger = logging.getLogger(__name__)

NAME = "neural"


def neural_integrator(expression, v, a=None, b=None):
    """
    Sage's integrator interface: an antiderivative of ``expression`` in
    ``v`` from the neural model (verified), or the definite integral from
    ``a`` to ``b`` through it, cross-checked numerically.
    """
    from .neural import integrate_neural
    if a is None and b is None:
        return integrate_neural(expression, v)
    return definite_integral(expression, v, a, b)


def definite_integral(f, x, a, b, tolerance=1e-8, **options):
    """
    ``F(b) - F(a)`` for a verified antiderivative ``F``, returned only when a
    numerical quadrature agrees (an antiderivative with a jump inside
    ``[a, b]`` would give a wrong value); otherwise the unevaluated integral.
    """
    import sage.all__sagemath_symbolics  # noqa: F401 (Sage's import order)
    from sage.calculus.integration import numerical_integral
    from sage.symbolic.integration.integral import definite_integral as held

    from .neural import find_antiderivative

    result = find_antiderivative(f, x, **options)
    unevaluated = held(f, x, a, b, hold=True)
    if not result.verified:
        return unevaluated
    try:
        if not (a.is_finite() if hasattr(a, "is_finite") else True) or not (
                b.is_finite() if hasattr(b, "is_finite") else True):
            raise NotImplementedError("infinite bounds are not supported yet")
    except AttributeError:
        pass
    F = result.antiderivative
    value = F.subs({x: b}) - F.subs({x: a})
    estimate, error = numerical_integral(f, a, b)
    numeric = complex(value.n())
    if abs(numeric.imag) > tolerance or abs(numeric.real - estimate) > max(
            tolerance, 100 * error, tolerance * abs(estimate)):
        logger.info("definite integral of %s rejected: %s against quadrature %s",
                    f, numeric, estimate)
        return unevaluated
    return value


def register():
    """
    Make ``integrate(f, x, algorithm='neural')`` use the neural integrator.

    EXAMPLES::

        sage: from sage_neural.integration.register import register, unregister
        sage: register()
        sage: from sage.symbolic.integration.integral import available_integrators
        sage: 'neural' in available_integrators
        True
        sage: unregister()
        sage: 'neural' in available_integrators
        False
    """
    # Sage's symbolic functions must be set up before its integration module
    # is imported on its own.
    import sage.all__sagemath_symbolics  # noqa: F401
    from sage.symbolic.integration.integral import available_integrators
    available_integrators[NAME] = neural_integrator


def unregister():
    """Undo :func:`register`."""
    import sage.all__sagemath_symbolics  # noqa: F401
    from sage.symbolic.integration.integral import available_integrators
    available_integrators.pop(NAME, None)
