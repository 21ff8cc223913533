"""
Backward generation (BWD) of integration pairs, as in Lample & Charton:
draw a random antiderivative ``F``, differentiate it, and keep the pair
``(F', F)``. Every kept pair is rebuilt from its tokens and verified with the
same function that checks the integrator's answers.
"""

import logging

from .. import from_tokens, to_tokens
from ..integration.verify import verify_antiderivative

logger = logging.getLogger(__name__)


def backward_pair(tokens, max_len=128):
    """
    The pair ``(integrand tokens, antiderivative tokens)`` made from the
    random antiderivative ``tokens``, or ``None`` when it is rejected:
    not buildable, constant in ``x``, outside the vocabulary once
    differentiated, complex-valued, longer than ``max_len`` tokens, or not
    verified.
    """
    try:
        antiderivative = from_tokens(tokens)
    except ValueError:
        return None
    x = from_tokens(["x"])
    if not antiderivative.has(x):
        return None
    try:
        integrand = antiderivative.derivative(x)
        integrand_tokens = to_tokens(integrand, variable=x)
        antiderivative_tokens = to_tokens(antiderivative, variable=x)
    except (ValueError, ArithmeticError, RuntimeError):
        return None
    if max(len(integrand_tokens), len(antiderivative_tokens)) > max_len:
        return None
    # Complex-valued pairs such as log(-2*x) = log(2*x) + I*pi are left out.
    if "I" in integrand_tokens or "I" in antiderivative_tokens:
        return None

    # Verify what is stored, rebuilt from its tokens.
    if not verify_antiderivative(from_tokens(integrand_tokens),
                                 from_tokens(antiderivative_tokens), x):
        logger.debug("rejected unverified pair for %s", antiderivative)
        return None
    return integrand_tokens, antiderivative_tokens
