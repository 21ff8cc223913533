"""
Sage's own integrators first, the neural integrator when they fail.

Each built-in engine runs in a forked child under a time limit (an alarm
inside Giac can deadlock the process; a killed child cannot), and its answer
is verified like the model's: Sage's engines do return wrong antiderivatives
(Giac integrates ``(-x^2-2*x+15)^(-1/2)`` as if it were the square root). The
first verified answer wins, and the result says which engine gave it.
"""

import logging
import time
from dataclasses import dataclass

from ..timeout import TimeLimitExceeded, call_with_time_limit
from .verify import verify_antiderivative

logger = logging.getLogger(__name__)

#: Sage's integrators, in the order they are tried.
ENGINES = ("maxima", "giac", "sympy")

#: Points at which an engine's answer must agree with the integrand: three
#: times the verifier's default. The engines integrate over the reals and
#: may rewrite a power of a negative base by modulus and ``arctan2``, which
#: gives an answer that is right on part of the line only; with eight
#: points such an answer can pass by luck (Maxima's antiderivative of
#: ``(x - cos(x))^(x + 3)*(...)`` is wrong for ``x < 0.739`` and passed).
ENGINE_POINTS = 24


def check_engine_answer(f, answer, x):
    """
    :func:`verify_antiderivative` at :data:`ENGINE_POINTS` points, the check
    applied to every answer of Sage's engines.
    """
    return verify_antiderivative(f, answer, x, points=ENGINE_POINTS)


@dataclass
class FallbackResult:
    """The antiderivative (``None`` if none verified) and who found it."""

    antiderivative: object
    engine: str            # "maxima", "giac", "sympy", "neural" or None
    method: str = None     # how it was verified
    seconds: float = 0.0
    attempts: list = None  # (engine, outcome) for every engine tried


def _engine_answer(f, x, engine):
    """
    In the child: the engine's antiderivative as text (Sage expressions do
    not cross processes), whether it verified and how.
    """
    answer = f.integrate(x, algorithm=engine)
    if "integrate(" in str(answer):
        return None, False, "unevaluated"
    check = check_engine_answer(f, answer, x)
    return str(answer), check.verified, check.method if check.verified else check.reason


def integrate_with_fallback(f, x=None, seconds=5.0, engines=ENGINES, **neural_options):
    """
    A verified antiderivative from Sage's engines, or else from the model.

    EXAMPLES::

        sage: from sage_neural.integration.fallback import integrate_with_fallback
        sage: r = integrate_with_fallback(x*cos(x))
        sage: r.antiderivative, r.engine
        (x*sin(x) + cos(x), 'maxima')
        sage: r = integrate_with_fallback((-x^2 - 2*x + 15)^(-1/2), engines=('giac',),
        ....:                             model_fallback=False)
        sage: r.engine is None, r.attempts[0][1].startswith('rejected')  # giac is wrong here
        (True, True)
    """
    from .neural import _check_variable, find_antiderivative

    start = time.perf_counter()
    model_fallback = neural_options.pop("model_fallback", True)
    f, x = _check_variable(f, x)
    attempts = []
    for engine in engines:
        try:
            text, verified, how = call_with_time_limit(_engine_answer, f, x, engine,
                                                       seconds=seconds)
        except TimeLimitExceeded:
            attempts.append((engine, f"timed out after {seconds:g} s"))
            continue
        except Exception as error:
            attempts.append((engine, f"failed: {type(error).__name__}"))
            continue
        if text is None:
            attempts.append((engine, "unevaluated"))
            continue
        if not verified:
            attempts.append((engine, f"rejected: {how}"))
            continue
        attempts.append((engine, f"verified ({how})"))
        return FallbackResult(f.parent()(text), engine, how,
                              time.perf_counter() - start, attempts)
    if model_fallback:
        result = find_antiderivative(f, x, **neural_options)
        attempts.append(("neural", "verified" if result.verified
                         else f"no verified candidate among {result.tried}"))
        if result.verified:
            return FallbackResult(result.antiderivative, "neural", result.method,
                                  time.perf_counter() - start, attempts)
    return FallbackResult(None, None, None, time.perf_counter() - start, attempts)
