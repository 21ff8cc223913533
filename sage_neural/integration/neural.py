"""
``integrate_neural``: antiderivatives proposed by the model, returned only
when verified by Sage.
"""

import functools
import logging
import time
from dataclasses import dataclass, field

from .. import from_tokens, to_tokens
from ..timeout import TimeLimitExceeded, call_with_time_limit
from .verify import verify_antiderivative

logger = logging.getLogger(__name__)


class NoVerifiedAntiderivative(ValueError):
    """No candidate of the model could be verified."""


@dataclass
class IntegrationResult:
    """
    How an antiderivative was found: ``antiderivative`` (``None`` when
    nothing verified), the candidate's ``rank`` in the beam (0 is best) and
    ``score`` (sum of log probabilities), the verification ``method``,
    ``seconds`` spent, and ``tried``, the number of candidates checked.
    """

    integrand: object
    variable: object
    antiderivative: object = None
    rank: int = None
    score: float = None
    method: str = None
    seconds: float = 0.0
    tried: int = 0
    rejected: list = field(default_factory=list)

    @property
    def verified(self):
        return self.antiderivative is not None

    def _latex_(self):
        from sage.misc.latex import latex
        return latex(self.antiderivative) if self.verified else ""


@functools.lru_cache(maxsize=4)
def _model(name, device):
    from ..runtime.model import OnnxSeq2Seq
    return OnnxSeq2Seq(name, device=device)


def _check_variable(f, x):
    from ..bridge.sage import _as_expression, _check_variable, default_variable
    f = _as_expression(f)
    if f.is_relational():
        raise ValueError(f"cannot integrate the relation {f}: expected an expression")
    if x is None:
        names = [str(v) for v in f.variables()]
        if len(names) > 1 and "x" not in names:
            raise ValueError(
                f"cannot choose the variable of integration among {', '.join(names)}: "
                f"name it, for example integrate_neural(f, {names[0]})")
        x = default_variable(f)
    else:
        try:
            x = _check_variable(x)
        except ValueError:
            raise ValueError(f"cannot integrate with respect to {x}: expected a "
                             "symbolic variable") from None
    return f, x


def find_antiderivative(f, x=None, beam_size=10, timeout=10.0, model="integration",
                        device="auto"):
    """
    Search for a verified antiderivative; returns an :class:`IntegrationResult`
    (with ``antiderivative`` ``None`` when none verified).

    Each candidate is verified in a forked child under the time left of
    ``timeout`` seconds, so that a slow simplification cannot hang the call.
    """
    start = time.perf_counter()
    f, x = _check_variable(f, x)
    tokens = to_tokens(f, variable=x)
    session = _model(str(model), device)
    longest = session.metadata.get("max_source_len", session.config["max_len"]) - 1
    if len(tokens) > longest:
        raise ValueError(
            f"expression too large for the model: {len(tokens)} tokens, at most "
            f"{longest}")
    answer_len = session.metadata.get("max_target_len", session.config["max_len"]) - 2
    from ..runtime.beam import beam_search
    candidates = beam_search(session, [tokens], beam_size, max_len=answer_len)[0]

    result = IntegrationResult(f, x)
    for rank, candidate in enumerate(candidates):
        left = timeout - (time.perf_counter() - start)
        if left <= 0:
            logger.info("time limit reached after %d candidates", rank)
            break
        try:
            antiderivative = from_tokens(candidate.tokens, variable=x)
        except ValueError as error:
            result.rejected.append((candidate.tokens, str(error)))
            continue
        result.tried += 1
        try:
            check = call_with_time_limit(verify_antiderivative, f, antiderivative, x,
                                         seconds=left)
        except TimeLimitExceeded:
            result.rejected.append((candidate.tokens, "verification timed out"))
            break
        except Exception as error:  # a failure to verify is a rejection
            result.rejected.append((candidate.tokens, f"verification failed: {error}"))
            continue
        if check.verified:
            result.antiderivative = antiderivative
            result.rank, result.score, result.method = rank, candidate.score, check.method
            break
        result.rejected.append((candidate.tokens, check.reason or "not verified"))
    result.seconds = time.perf_counter() - start
    return result


def integrate_neural(f, x=None, beam_size=10, timeout=10.0, model="integration",
                     raise_on_failure=False, device="auto"):
    """
    An antiderivative of ``f`` proposed by the neural model and verified by
    differentiation in Sage.

    INPUT:

    - ``f`` -- a symbolic expression
    - ``x`` -- (default: ``x``, or the only variable of ``f``) the variable
    - ``beam_size`` -- (default: 10) how many candidates the model proposes
    - ``timeout`` -- (default: 10) seconds for the search and the checks
    - ``model`` -- (default: the shipped ``'integration'``) a model name or
      the path of a model's ``.json`` file
    - ``raise_on_failure`` -- (default: ``False``) raise
      :class:`NoVerifiedAntiderivative` instead of returning the unevaluated
      integral when no candidate verifies
    - ``device`` -- ``'auto'`` (default), ``'cpu'`` or ``'cuda'``

    OUTPUT: a verified antiderivative, or Sage's unevaluated ``integrate(f,
    x)``; never an unverified answer. :func:`find_antiderivative` returns
    the same search with its record (rank, score, method, time).

    EXAMPLES::

        sage: from sage_neural import integrate_neural
        sage: F = integrate_neural(cos(x))       # random, depends on the model
        sage: bool(F.derivative(x) == cos(x)) or F.operator().name() == 'integrate'
        True
        sage: integrate_neural(bessel_J(0, x))
        Traceback (most recent call last):
        ...
        ValueError: unsupported function bessel_J in bessel_J(0, x): it is not in the vocabulary
    """
    result = find_antiderivative(f, x, beam_size, timeout, model, device)
    if result.verified:
        return result.antiderivative
    if raise_on_failure:
        raise NoVerifiedAntiderivative(
            f"no verified antiderivative of {result.integrand} among {result.tried} "
            "candidates")
    from sage.symbolic.integration.integral import indefinite_integral
    return indefinite_integral(result.integrand, result.variable, hold=True)
