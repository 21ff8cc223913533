"""
Registration of the neural integrator with Sage's ``integrate``, by an
explicit call (importing sage_neural changes nothing in Sage).

Two hooks, each undone exactly by its counterpart:

- :func:`register` adds ``algorithm='neural'`` to Sage's table of
  integrators;
- :func:`enable_fallback` makes Sage's default ``integrate(f, x)`` ask the
  neural integrator when all of Sage's own integrators leave the integral
  unevaluated; only a verified answer is returned.
"""

import logging

logger = logging.getLogger(__name__)

NAME = "neural"


def _sage():
    # Sage's symbolic functions must be set up before its integration module
    # is imported on its own.
    import sage.all__sagemath_symbolics as sg
    return sg


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


# ---------------------------------------------------------------------------
# Definite integrals
# ---------------------------------------------------------------------------

def _finite_number(value):
    """``value`` as a Python complex when it is a finite number, else ``None``."""
    try:
        number = complex(value)
    except (TypeError, ValueError, ArithmeticError):
        return None
    if number != number or abs(number) == float("inf"):
        return None
    return number


def _is_infinite(bound):
    return bool(_sage().SR(bound).is_infinity())


def _endpoint(F, x, bound, side):
    """
    ``F`` at a bound of integration: substituted when that gives a finite
    number, else its limit (from inside the interval for a finite bound).
    Returns ``(value, how)``; ``value`` is ``None`` when neither is finite.
    """
    sg = _sage()
    if not _is_infinite(bound):
        try:
            value = F.subs({x: bound})
        except (ArithmeticError, ValueError, RuntimeError, TypeError):
            value = None
        if value is not None and _finite_number(value) is not None:
            return value, "substituted"
        value = sg.limit(F, **{str(x): bound}, dir=side)
    else:
        value = sg.limit(F, **{str(x): bound})
    return (value if _finite_number(value) is not None else None), f"limit {value}"


def _evaluate_definite(f, F, x, a, b):
    """
    In a child: ``F(b) - F(a)`` through values or limits, and the numerical
    quadrature of ``f`` from ``a`` to ``b``, as
    ``(value, estimate, error, problem)``; ``problem`` says what could not be
    done, and the others are ``None`` then.
    """
    from sage.calculus.integration import numerical_integral

    upper, how_upper = _endpoint(F, x, b, "-")
    lower, how_lower = _endpoint(F, x, a, "+")
    if upper is None or lower is None:
        bound, how = (b, how_upper) if upper is None else (a, how_lower)
        return None, None, None, (f"the antiderivative {F} has no finite value at "
                                  f"{x} = {bound} ({how.replace('limit', 'its limit is')})")
    try:
        estimate, error = numerical_integral(f, a, b)
    except Exception as error:  # GSL's errors are of many kinds
        return None, None, None, f"the numerical quadrature failed: {error}"
    return upper - lower, estimate, error, None


def definite_integral(f, x, a, b, tolerance=1e-8, seconds=10.0, **options):
    """
    The integral of ``f`` from ``a`` to ``b`` through a verified
    antiderivative ``F``, cross-checked by numerical quadrature.

    INPUT:

    - ``f`` -- a symbolic expression without parameters
    - ``x`` -- the variable of integration
    - ``a``, ``b`` -- the bounds, real numbers or ``-oo``/``+oo``
    - ``tolerance`` -- (default: ``1e-8``) the largest difference allowed
      between the value and the quadrature, relative to the size of the
      value when it is larger than 1
    - ``seconds`` -- (default: 10) time limit of the limits and the
      quadrature together, which run in a child process
    - ``options`` -- passed to :func:`find_antiderivative` (``beam_size``,
      ``timeout``, ``model``, ...)

    OUTPUT: ``F(b) - F(a)``, where ``F`` at an infinite bound (or at a
    finite one where ``F`` cannot be evaluated) is its limit there; the
    unevaluated integral when no candidate antiderivative verifies or the
    quadrature disagrees (an antiderivative with a jump inside ``[a, b]``
    gives a wrong value).

    A ``ValueError`` says that the antiderivative tends to an infinity at a
    bound (the integral diverges there), and a ``NotImplementedError`` says
    what could not be checked: a limit that is not a number, a quadrature
    that fails or reports a large error, parameters in ``f``, or the time
    limit.

    EXAMPLES::

        sage: from sage_neural.integration.register import definite_integral
        sage: definite_integral(exp(-x), x, 0, oo)     # random, depends on the model
        1
        sage: definite_integral(sin(x), x, 0, oo)       # -cos(x) has no limit at oo
        Traceback (most recent call last):
        ...
        NotImplementedError: cannot check the integral of sin(x) from 0 to +Infinity: ...
    """
    sg = _sage()
    from sage.symbolic.integration.integral import definite_integral as held

    from ..timeout import TimeLimitExceeded, call_with_time_limit
    from .neural import find_antiderivative

    def refuse(why):
        return NotImplementedError(
            f"cannot check the integral of {f} from {a} to {b}: {why}")

    a, b = sg.SR(a), sg.SR(b)
    for bound in (a, b):
        if bound.variables() or (not _is_infinite(bound)
                                 and _finite_number(bound) is None):
            raise ValueError(f"expected a number or an infinity as a bound, got {bound}")
        if bound.is_infinity() and not (bound.is_positive_infinity()
                                        or bound.is_negative_infinity()):
            raise ValueError(f"expected +oo or -oo as an infinite bound, got {bound}")
    unevaluated = held(f, x, a, b, hold=True)
    result = find_antiderivative(f, x, **options)
    if not result.verified:
        return unevaluated
    parameters = [v for v in result.integrand.variables()
                  if not v.is_trivially_equal(result.variable)]
    if parameters:
        raise refuse(f"the parameters {', '.join(map(str, parameters))} leave no "
                     "number for the quadrature")

    F, x = result.antiderivative, result.variable
    try:
        value, estimate, error, problem = call_with_time_limit(
            _evaluate_definite, result.integrand, F, x, a, b, seconds=seconds)
    except TimeLimitExceeded:
        raise refuse(f"the limits and the quadrature took more than {seconds:g} s; "
                     "pass seconds= to allow more") from None
    if problem is not None:
        if "its limit is +Infinity" in problem or "its limit is -Infinity" in problem:
            raise ValueError(f"the integral of {f} from {a} to {b} diverges: {problem}")
        raise refuse(problem)

    numeric = _finite_number(value)
    scale = max(1.0, abs(estimate))
    if error > 1e-6 * scale:
        raise refuse(f"the quadrature's error estimate {error:.2g} is too large "
                     f"(estimate {estimate:.12g})")
    if abs(numeric.imag) > tolerance * scale or abs(numeric.real - estimate) > max(
            tolerance * scale, 100 * error):
        logger.info("definite integral of %s rejected: %s against quadrature %s",
                    f, numeric, estimate)
        return unevaluated
    return value


# ---------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------

def register(fallback=False, **options):
    """
    Make ``integrate(f, x, algorithm='neural')`` use the neural integrator;
    with ``fallback=True``, also :func:`enable_fallback` with ``options``.

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
    _sage()
    from sage.symbolic.integration.integral import available_integrators
    available_integrators[NAME] = neural_integrator
    if fallback:
        enable_fallback(**options)


def unregister():
    """Undo :func:`register`, and :func:`enable_fallback` if it was called."""
    _sage()
    from sage.symbolic.integration.integral import available_integrators
    available_integrators.pop(NAME, None)
    disable_fallback()


class NeuralFallback:
    """
    The last integrator in Sage's chain for indefinite integrals.

    Sage calls its integrators in order and keeps the first answer without
    an unevaluated integral, so this one runs only when Maxima, Giac and
    SymPy all failed. Raising ``NotImplementedError`` makes Sage go on as
    if it were not there and return what it had (the unevaluated
    integral); it is raised for anything the model cannot do.
    """

    def __init__(self, **options):
        self.options = options

    def __call__(self, f, x):
        from ..runtime.model import ModelFileError
        from .neural import find_antiderivative

        try:
            result = find_antiderivative(f, x, **self.options)
        except ModelFileError:
            raise
        except ValueError as error:  # outside the vocabulary, too long, ...
            raise NotImplementedError(f"neural fallback: {error}") from None
        if not result.verified:
            raise NotImplementedError(
                f"neural fallback: no verified antiderivative among {result.tried} "
                "candidates")
        logger.info("neural fallback integrated %s (candidate %d, %s, %.2f s)",
                    f, result.rank + 1, result.method, result.seconds)
        return result.antiderivative

    def __repr__(self):
        return f"NeuralFallback({self.options})"


def enable_fallback(**options):
    """
    Let Sage's default ``integrate`` ask the neural integrator when its own
    integrators leave an indefinite integral unevaluated.

    INPUT:

    - ``options`` -- passed to :func:`find_antiderivative`: ``beam_size``,
      ``timeout`` (seconds per integral, default 10), ``model``, ``device``

    Sage's own answers are returned unchanged, as before; an unevaluated
    integral is replaced only by a verified antiderivative. Calling it again
    replaces the options; :func:`disable_fallback` restores Sage exactly.
    Definite integrals and ``algorithm=...`` calls are not affected. The
    model is loaded here, so that a missing model is an error now rather
    than a silent unevaluated integral later.

    EXAMPLES::

        sage: from sage_neural.integration.register import enable_fallback, disable_fallback
        sage: integrate(x*cos(x), x)
        x*sin(x) + cos(x)
        sage: enable_fallback(beam_size=4)
        sage: integrate(x*cos(x), x)          # Sage's answer, unchanged
        x*sin(x) + cos(x)
        sage: f = e^x/arcsinh(x) - e^x/(sqrt(x^2 + 1)*arcsinh(x)^2)
        sage: integrate(f, x)                 # the model's answer, verified
        e^x/arcsinh(x)
        sage: disable_fallback()
        sage: integrate(f, x)                 # Sage alone leaves it unevaluated
        integrate((sqrt(x^2 + 1)*arcsinh(x) - 1)*e^x/(sqrt(x^2 + 1)*arcsinh(x)^2), x)
    """
    _sage()
    from sage.symbolic.integration.integral import indefinite_integral

    from .neural import _model
    _model(str(options.get("model", "integration")), options.get("device", "auto"))
    disable_fallback()
    indefinite_integral.integrators.append(NeuralFallback(**options))


def disable_fallback():
    """Undo :func:`enable_fallback`; nothing happens when it is not enabled."""
    _sage()
    from sage.symbolic.integration.integral import indefinite_integral
    indefinite_integral.integrators[:] = [
        integrator for integrator in indefinite_integral.integrators
        if not isinstance(integrator, NeuralFallback)]


def fallback_enabled():
    """Whether :func:`enable_fallback` is in effect."""
    _sage()
    from sage.symbolic.integration.integral import indefinite_integral
    return any(isinstance(i, NeuralFallback) for i in indefinite_integral.integrators)
