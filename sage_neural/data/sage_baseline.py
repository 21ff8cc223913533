"""
How often Sage's own ``integrate`` fails on a dataset's integrands.
"""

import random

from .. import from_tokens, to_tokens
from ..timeout import TimeLimitExceeded, call_with_time_limit


def _sage_integrates(tokens):
    """
    Whether Sage returns an antiderivative inside the vocabulary. Runs in a
    forked child, whose console chatter (Maxima, Giac) is discarded.
    """
    x = from_tokens(["x"])
    antiderivative = from_tokens(tokens).integrate(x)
    try:
        to_tokens(antiderivative, variable=x)
    except ValueError:
        return False
    return True


def sage_failure_share(pairs, sample, seconds=5.0, seed=0):
    """
    ``(share, tried)``: the share of ``sample`` random integrands from
    ``pairs`` that Sage's ``integrate`` cannot do within ``seconds`` (an
    error, a time-out, or an answer with an unevaluated integral or a
    function outside the vocabulary).
    """
    chosen = random.Random(seed).sample(pairs, min(sample, len(pairs)))
    failures = 0
    for integrand, _ in chosen:
        try:
            ok = call_with_time_limit(_sage_integrates, integrand, seconds=seconds)
        except (TimeLimitExceeded, Exception):
            ok = False
        failures += not ok
    return failures / max(len(chosen), 1), len(chosen)
