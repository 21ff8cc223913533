"""
Integration by parts (IBP): new integration pairs derived from known ones,
after Lample & Charton (2020).

Start from a pair that is known to be right, ``F' = f``, made by
differentiating a random antiderivative ``F``
(:func:`~sage_neural.data.backward.backward_pair`), and draw a second random
expression ``G``. The product rule, ``(F G)' = f G + F G'``, integrated,
gives

    ∫ f G dx = F G - ∫ F G' dx.

So whenever Sage can integrate ``F G'`` to some ``H``, the integral of
``f G``, which Sage may not be able to do directly, is ``F G - H``, and
``(f G, F G - H)`` is a new pair. The integrands are products of a
derivative and another expression, a family that neither backward nor
forward generation reaches often.

As in forward generation, Sage's integrator may run for a very long time, so
the integration, tokenization and verification run in a forked child under a
hard time limit (:func:`~sage_neural.timeout.call_with_time_limit`). A pair is
kept only when ``H`` is written in the token vocabulary, both sides fit in
``max_len`` tokens, neither contains ``I``, and the pair, rebuilt from its
tokens, passes :func:`~sage_neural.integration.verify.verify_antiderivative`.
"""

import logging

from .. import from_tokens, to_tokens
from ..timeout import TimeLimitExceeded, call_with_time_limit
from .backward import backward_pair
from .forward import _variable

logger = logging.getLogger(__name__)

__all__ = ["ibp_pair"]


def _integrate_by_parts(f, F, G, x, max_len):
    """
    The child's work: the tokens of the pair ``(f G, F G - H)`` with
    ``H = ∫ F G'``, or ``None`` when ``H`` is outside the vocabulary or the
    pair is too long, complex-valued or not verified.
    """
    from ..integration.verify import verify_antiderivative

    H = (F * G.derivative(x)).integrate(x)
    try:
        to_tokens(H, x)
    except ValueError as error:
        # An unevaluated integral, erf, gamma, ...
        logger.debug("integral %s of F*G' is not tokenizable: %s", H, error)
        return None

    try:
        integrand_tokens = to_tokens(f * G, x)
        antiderivative_tokens = to_tokens(F * G - H, x)
    except ValueError as error:
        logger.debug("pair for f = %s, G = %s is not tokenizable: %s", f, G, error)
        return None
    if max(len(integrand_tokens), len(antiderivative_tokens)) > max_len:
        return None
    if "I" in integrand_tokens or "I" in antiderivative_tokens:
        return None

    # Verify what is stored, rebuilt from its tokens.
    verification = verify_antiderivative(from_tokens(integrand_tokens, x),
                                         from_tokens(antiderivative_tokens, x), x)
    if not verification.verified:
        logger.debug("pair for f = %s, G = %s does not verify: %s",
                     f, G, verification.reason)
        return None
    return integrand_tokens, antiderivative_tokens


def ibp_pair(antiderivative_tokens, factor_tokens, seconds=2.0, max_len=128):
    """
    A verified integration pair found by integrating by parts, or ``None``.

    INPUT:

    - ``antiderivative_tokens`` -- prefix tokens of a random antiderivative
      ``F``; its derivative ``f`` is computed here
    - ``factor_tokens`` -- prefix tokens of the random factor ``G``, which
      must depend on ``x``
    - ``seconds`` -- (default: 2) the time limit for integrating ``F G'``
      and verifying the result
    - ``max_len`` -- (default: 128) the longest sequence kept, in tokens

    OUTPUT: a pair ``(integrand_tokens, antiderivative_tokens)`` for the
    integrand ``f G`` and its antiderivative ``F G - ∫ F G'``; ``None`` when
    ``F`` gives no backward pair, ``G`` is invalid or constant in ``x``, Sage
    fails, runs out of time or answers outside the vocabulary, or the pair is
    too long, complex-valued or not verified

    EXAMPLES:

    With ``F = sin(x)`` and ``G = x``: ``∫ x cos(x) = x sin(x) - ∫ sin(x)``::

        sage: from sage_neural.data.parts import ibp_pair
        sage: ibp_pair(['sin', 'x'], ['x'])
        (['mul', 'x', 'cos', 'x'], ['add', 'mul', 'x', 'sin', 'x', 'cos', 'x'])
        sage: ibp_pair(['sin', 'x'], ['INT+', '3']) is None  # G' = 0
        True
        sage: ibp_pair(['sin', 'x'], ['exp', 'pow', 'x', 'INT+', '2']) is None  # erf
        True
    """
    x = _variable()
    known = backward_pair(antiderivative_tokens, max_len)
    if known is None:
        return None
    try:
        f, F = from_tokens(known[0], x), from_tokens(known[1], x)
        G = from_tokens(factor_tokens, x)
    except (ValueError, ArithmeticError) as error:
        logger.debug("invalid factor %s: %s", factor_tokens, error)
        return None
    if not G.has(x):
        return None

    try:
        return call_with_time_limit(_integrate_by_parts, f, F, G, x, max_len,
                                    seconds=seconds)
    except TimeLimitExceeded:
        logger.debug("integrating F*G' for F = %s, G = %s took longer than %g s",
                     F, G, seconds)
    except Exception as error:
        # Maxima asking about the sign of a parameter, division by zero, ...
        logger.debug("integrating F*G' for F = %s, G = %s failed: %s: %s",
                     F, G, type(error).__name__, error)
    return None
