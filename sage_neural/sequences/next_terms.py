"""
``next_terms``: the continuation of an integer sequence, with the formula
that gives it and the evidence for that formula, or an honest "none found".

Candidates come from the classical guessers
(:mod:`sage_neural.sequences.guessers`) and from the trained model
(:mod:`sage_neural.sequences.neural`). Every candidate passes through
:func:`~sage_neural.sequences.formula.verify_formula`: it must reproduce
every given term exactly, with at least ``min_beyond_fit`` of them beyond
the numbers it fitted. Among those that pass, the simplest wins.
"""

import logging
import operator
import re
import time
from dataclasses import dataclass, field

from .formula import SequenceFormula, verify_formula
from .guessers import MIN_BEYOND_FIT

logger = logging.getLogger(__name__)

__all__ = ["MAX_INPUT_DIGITS", "MIN_TERMS", "NextTerms", "next_terms", "parse_terms"]

#: The fewest terms accepted as input.
MIN_TERMS = 6

#: The largest term accepted as input, in decimal digits.
MAX_INPUT_DIGITS = 1000

#: The most terms that can be asked for.
MAX_K = 1000

_SEPARATORS = re.compile(r"[,\s]+")
_INTEGER = re.compile(r"[+-]?\d+\Z")
_EXAMPLE = "'1, 1, 2, 5, 14, 42'"


def parse_terms(seq):
    """
    The terms of ``seq`` as a list of Python integers, or ``ValueError``.

    ``seq`` is a list or tuple of integers (Python, Sage or NumPy) or a
    string of integers separated by commas and/or spaces.

    EXAMPLES::

        sage: from sage_neural.sequences.next_terms import parse_terms
        sage: parse_terms("1,1,2,5,14,42")
        [1, 1, 2, 5, 14, 42]
        sage: parse_terms("1 1 2 5 14 42 -132")
        [1, 1, 2, 5, 14, 42, -132]
        sage: parse_terms([1, 2, 3, 4, 5, 6.5r])
        Traceback (most recent call last):
        ...
        ValueError: expected integers, got 6.5 as term 5
        sage: parse_terms("1, 2, a, 4, 5, 6")
        Traceback (most recent call last):
        ...
        ValueError: expected integers separated by commas or spaces, got 'a' as term 2
        sage: parse_terms([1, 2, 3])
        Traceback (most recent call last):
        ...
        ValueError: expected at least 6 terms, got 3
        sage: parse_terms([1, 2, 3, 4, 5, 10^1000])
        Traceback (most recent call last):
        ...
        ValueError: term 5 has more than 1000 digits: expected at most 1000
    """
    if isinstance(seq, str):
        text = seq.strip().strip("[]()").strip()
        fields = [f for f in _SEPARATORS.split(text) if f]
        for i, f in enumerate(fields):
            if not _INTEGER.match(f):
                raise ValueError(f"expected integers separated by commas or spaces, "
                                 f"got {f!r} as term {i}")
        terms = [int(f) for f in fields]
    else:
        try:
            items = list(seq)
        except TypeError:
            raise ValueError(f"expected a list of integers or a string such as "
                             f"{_EXAMPLE}, got {seq!r}") from None
        terms = []
        for i, item in enumerate(items):
            try:
                if isinstance(item, bool):
                    raise TypeError
                terms.append(operator.index(item))
            except TypeError:
                raise ValueError(f"expected integers, got {item!r} as term "
                                 f"{i}") from None

    if len(terms) < MIN_TERMS:
        raise ValueError(f"expected at least {MIN_TERMS} terms, got {len(terms)}")
    bound = 10 ** MAX_INPUT_DIGITS
    for i, t in enumerate(terms):
        if abs(t) >= bound:
            raise ValueError(f"term {i} has more than {MAX_INPUT_DIGITS} digits: "
                             f"expected at most {MAX_INPUT_DIGITS}")
    return terms


@dataclass
class NextTerms:
    """
    The answer of :func:`next_terms`.

    - ``terms`` -- the given terms
    - ``next`` -- the next ``k`` terms, or ``None`` when no formula passed
    - ``formula`` -- the :class:`~sage_neural.sequences.formula.SequenceFormula`
      that gave them, or ``None``
    - ``source`` -- ``'classical'`` or ``'model'``
    - ``checked`` -- how many given terms the formula reproduced (all)
    - ``beyond_fit`` -- how many of them lie beyond its free parameters
    - ``tried`` -- how many candidates were checked
    - ``agreeing``, ``disagreeing`` -- how many other formulas that passed
      give the same next terms, and how many give others
    - ``notes`` -- what limited the search (model missing, time up, ...)
    - ``seconds`` -- time spent
    """

    terms: tuple
    k: int
    next: list = None
    formula: SequenceFormula = None
    source: str = None
    checked: int = 0
    beyond_fit: int = 0
    tried: int = 0
    agreeing: int = 0
    disagreeing: int = 0
    min_beyond_fit: int = MIN_BEYOND_FIT
    notes: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def found(self):
        return self.next is not None

    def _repr_(self):
        if not self.found and len(self.terms) <= self.min_beyond_fit:
            # Even a constant fits one number: none could be checked.
            text = (f"no formula found: {len(self.terms)} terms are too few to check "
                    f"a formula on {self.min_beyond_fit} terms beyond its fitted "
                    "parameters; give more terms")
        elif not self.found:
            text = (f"no formula found: none of {self.tried} candidates reproduced "
                    f"the {len(self.terms)} given terms with at least "
                    f"{self.min_beyond_fit} of them beyond the fitted parameters")
        else:
            fitted = self.formula.free_parameters
            text = (f"next {self.k} terms: {', '.join(map(str, self.next))}\n"
                    f"formula ({self.formula.kind}, {self.source}): {self.formula}\n"
                    f"evidence: all {self.checked} given terms reproduced exactly, "
                    f"{self.beyond_fit} beyond the {fitted} fitted "
                    f"{'parameter' if fitted == 1 else 'parameters'}")
            if self.disagreeing:
                text += (f"\nwarning: {self.disagreeing} other verified "
                         f"{'formula gives' if self.disagreeing == 1 else 'formulas give'}"
                         " other next terms")
        return "\n".join([text] + [f"note: {note}" for note in self.notes])

    __repr__ = _repr_

    def _latex_(self):
        if not self.found:
            return r"\text{no formula found}"
        latex = getattr(self.formula, "_latex_", None)
        formula = latex() if latex else r"\text{" + str(self.formula) + "}"
        return formula + r",\quad " + ", ".join(map(str, self.next)) + r", \ldots"


def _model_candidates(model, terms, beam_size, notes):
    """The model's formulas, or ``[]`` with a note saying why there are none."""
    from ..runtime.model import ModelFileError
    try:
        if callable(model):
            source = model
        else:
            from .neural import candidates as source
        return list(source(terms, beam_size=beam_size))
    except (ImportError, ModelFileError) as error:
        logger.info("no model candidates: %s", error)
        notes.append(f"the model was not used: {error}")
        return []


def _check_and_extend(formula, terms, k, min_beyond_fit):
    """Verify ``formula`` and compute its next ``k`` terms: ``(check, next)``."""
    check = verify_formula(formula, terms, min_beyond_fit=min_beyond_fit)
    if not check.verified:
        return check, None
    try:
        values = formula.terms(len(terms) + k)
    except (ArithmeticError, ValueError, OverflowError) as error:
        from .formula import FormulaCheck
        return FormulaCheck(False, check.checked, check.beyond_fit,
                            f"cannot compute the next terms: {error}"), None
    return check, [int(v) for v in values[len(terms):]]


def next_terms(seq, k=5, beam_size=10, model=True, timeout=10.0, classical=True,
               min_beyond_fit=MIN_BEYOND_FIT):
    r"""
    The next ``k`` terms of an integer sequence, with a formula that
    reproduces every given term, or an honest "no formula found".

    INPUT:

    - ``seq`` -- at least 6 integers, as a list or tuple or as a string
      such as ``"1,1,2,5,14,42"`` or ``"1 1 2 5 14 42"``; terms of at most
      1000 digits
    - ``k`` -- (default: 5) how many terms to compute
    - ``beam_size`` -- (default: 10) how many candidates the model proposes
    - ``model`` -- (default: ``True``) use the trained model; ``False`` for
      the classical guessers alone, or a function ``f(terms, beam_size=...)``
      returning formulas
    - ``timeout`` -- (default: 10) seconds for the search; each model
      candidate is checked in a child process killed when time is up
    - ``classical`` -- (default: ``True``) use the classical guessers
    - ``min_beyond_fit`` -- (default: 8) how many given terms beyond a
      formula's fitted parameters it must reproduce

    OUTPUT: a :class:`NextTerms`; ``next`` is ``None`` when nothing passed

    Terms are numbered from 0 at the first given term. A candidate is
    fitted on the first terms and must reproduce all of them exactly;
    among those that do, the one with the fewest fitted parameters (then
    the simplest kind, then the smallest numbers) is returned.

    EXAMPLES::

        sage: from sage_neural.sequences.next_terms import next_terms
        sage: next_terms([1, 1, 2, 5, 14, 42, 132, 429, 1430, 4862, 16796, 58786], model=False)
        next 5 terms: 208012, 742900, 2674440, 9694845, 35357670
        formula (hypergeometric, classical): a(n) = (4*n - 2)/(n + 1)*a(n-1) for n >= 1, a(0) = 1
        evidence: all 12 given terms reproduced exactly, 8 beyond the 4 fitted parameters
        sage: next_terms("0 1 1 2 3 5 8 13 21 34 55 89", k=3, model=False)
        next 3 terms: 144, 233, 377
        formula (linear recurrence, classical): a(n) = a(n-1) + a(n-2) for n >= 2, a(0) = 0, a(1) = 1
        evidence: all 12 given terms reproduced exactly, 8 beyond the 4 fitted parameters
        sage: r = next_terms([n^2 for n in range(1, 12)], model=False); r
        next 5 terms: 144, 169, 196, 225, 256
        formula (polynomial, classical): a(n) = n^2 + 2*n + 1
        evidence: all 11 given terms reproduced exactly, 8 beyond the 3 fitted parameters
        sage: latex(r)
        a(n) = n^{2} + 2 n + 1,\quad 144, 169, 196, 225, 256, \ldots

    Nothing is guessed for the primes, and too few terms are an honest
    failure too::

        sage: primes = "2 3 5 7 11 13 17 19 23 29 31 37 41 43 47 53 59 61 67 71"
        sage: r = next_terms(primes, model=False); r
        no formula found: none of 21 candidates reproduced the 20 given terms with at least 8 of them beyond the fitted parameters
        sage: r.next is None
        True
        sage: next_terms("1, 1, 2, 5, 14, 42", model=False)
        no formula found: 6 terms are too few to check a formula on 8 terms beyond its fitted parameters; give more terms
        sage: next_terms("1, 1, 2, 5, 14")
        Traceback (most recent call last):
        ...
        ValueError: expected at least 6 terms, got 5
    """
    start = time.perf_counter()
    terms = parse_terms(seq)
    try:
        k = operator.index(k)
    except TypeError:
        raise ValueError(f"expected a whole number of terms k, got {k!r}") from None
    if not 1 <= k <= MAX_K:
        raise ValueError(f"expected k between 1 and {MAX_K}, got {k}")
    deadline = start + timeout
    result = NextTerms(tuple(terms), k, min_beyond_fit=min_beyond_fit)

    pool = []
    if classical:
        from .guessers import candidates
        pool += [(f, "classical") for f in candidates(terms, min_beyond_fit, deadline)]
    if model:
        pool += [(f, "model") for f in _model_candidates(model, terms, beam_size,
                                                        result.notes)]

    # Check every candidate; the model's in a child process, since its
    # formulas may be slow to evaluate.
    from ..timeout import TimeLimitExceeded, call_with_time_limit
    passed = []
    for formula, source in pool:
        left = deadline - time.perf_counter()
        if left <= 0:
            result.notes.append(f"time is up: {len(pool) - result.tried} of "
                                f"{len(pool)} candidates were not checked")
            break
        result.tried += 1
        try:
            if source == "model":
                check, values = call_with_time_limit(
                    _check_and_extend, formula, terms, k, min_beyond_fit, seconds=left)
            else:
                check, values = _check_and_extend(formula, terms, k, min_beyond_fit)
        except TimeLimitExceeded:
            logger.info("checking %s took too long", formula)
            continue
        except Exception as error:  # a failure to check is a rejection
            logger.info("checking %s failed: %s", formula, error)
            continue
        if check.verified:
            passed.append((formula, source, check, values))
        else:
            logger.debug("rejected %s: %s", formula, check.reason)

    if passed:
        def key(item):
            formula, _, check, _ = item
            return formula.complexity(), -check.beyond_fit

        try:
            passed.sort(key=key)
        except TypeError:
            # Complexity keys of different shapes: fall back to the parameters.
            passed.sort(key=lambda item: (item[0].free_parameters, -item[2].beyond_fit))
        formula, source, check, values = passed[0]
        result.next, result.formula, result.source = values, formula, source
        result.checked, result.beyond_fit = check.checked, check.beyond_fit
        for _, _, _, other in passed[1:]:
            if other == values:
                result.agreeing += 1
            else:
                result.disagreeing += 1
    result.seconds = time.perf_counter() - start
    return result
