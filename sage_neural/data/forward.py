"""
Forward generation (FWD) of integration pairs, after Lample & Charton (2020).

A random integrand ``f`` is integrated by Sage; the pair ``(f, F)`` is kept
only when ``F`` is written in the token vocabulary (no unevaluated integral,
no ``erf`` or other special function) and differentiates back to ``f``. The
pairs teach a model what a computer algebra system can already do; integrands
Sage cannot handle are simply dropped.

Sage's integrator can run for a very long time on some inputs and cannot be
interrupted safely, so the integration, tokenization and verification run
together in a forked child under a hard time limit. Only token lists cross
the process boundary. The child's console output (warnings from Giac and
Maxima) is discarded.
"""

import functools
import logging

from .. import from_tokens, to_tokens
from ..timeout import TimeLimitExceeded, call_with_time_limit

logger = logging.getLogger(__name__)

__all__ = ["forward_pair"]


@functools.lru_cache(maxsize=None)
def _variable():
    """
    The integration variable, after Maxima has been loaded in this process.

    Loading Maxima takes a couple of seconds. Doing it once here, before any
    child is forked, means every child starts with it ready instead of
    loading it again.
    """
    import sage.all__sagemath_symbolics as sg
    x = sg.SR.var("x")
    x.integrate(x)
    return x


def _integrate_and_verify(f, x):
    """
    The child's work: the tokens of a verified antiderivative of ``f``, or
    ``None`` when Sage's answer is outside the vocabulary or does not verify.
    """
    from ..integration.verify import verify_antiderivative

    antiderivative = f.integrate(x)
    try:
        antiderivative_tokens = to_tokens(antiderivative, x)
    except ValueError as error:
        # An unevaluated integral, erf, gamma, ...
        logger.debug("antiderivative %s is not tokenizable: %s", antiderivative, error)
        return None

    # Check the pair that will be stored: the antiderivative as rebuilt from
    # its tokens, which is equal, though not always identical, to Sage's.
    rebuilt = from_tokens(antiderivative_tokens, x)
    verification = verify_antiderivative(f, rebuilt, x)
    if not verification.verified:
        logger.debug("antiderivative %s of %s does not verify: %s",
                     rebuilt, f, verification.reason)
        return None
    return antiderivative_tokens


def forward_pair(tokens, seconds=5.0):
    """
    A verified integration pair for the integrand written by ``tokens``, or
    ``None``.

    INPUT:

    - ``tokens`` -- prefix tokens of the integrand, for instance from
      :meth:`~sage_neural.data.sampler.ExpressionSampler.sample`
    - ``seconds`` -- (default: 5) the time limit for integrating and
      verifying, after which the integrand is given up

    OUTPUT: a pair ``(integrand_tokens, antiderivative_tokens)``, the
    integrand in Sage's normal form; ``None`` when the tokens do not make a
    valid expression, when Sage fails, runs out of time or answers outside
    the vocabulary, or when its answer does not verify

    EXAMPLES::

        sage: from sage_neural.data.forward import forward_pair
        sage: forward_pair(['mul', 'x', 'cos', 'x'])
        (['mul', 'x', 'cos', 'x'], ['add', 'mul', 'x', 'sin', 'x', 'cos', 'x'])
        sage: forward_pair(['exp', 'pow', 'x', 'INT+', '2']) is None  # erf
        True
        sage: forward_pair(['div', 'x', 'INT+', '0']) is None  # division by zero
        True
    """
    x = _variable()
    try:
        f = from_tokens(tokens, x)
        integrand_tokens = to_tokens(f, x)
    except ValueError as error:
        logger.debug("invalid integrand %s: %s", tokens, error)
        return None

    try:
        antiderivative_tokens = call_with_time_limit(
            _integrate_and_verify, f, x, seconds=seconds)
    except TimeLimitExceeded:
        logger.debug("integrating %s took longer than %g s", f, seconds)
        return None
    except Exception as error:
        # Maxima asking about the sign of a parameter, division by zero, ...
        logger.debug("integrating %s failed: %s: %s", f, type(error).__name__, error)
        return None

    if antiderivative_tokens is None:
        return None
    return integrand_tokens, antiderivative_tokens
