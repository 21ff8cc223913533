"""
Formulas for integer sequences, and the one function that checks them.

Every way of guessing the continuation of a sequence (the classical
guessers in :mod:`sage_neural.sequences.guessers`, the model in
:mod:`sage_neural.sequences.neural`) hands back :class:`SequenceFormula`
objects. A formula computes exact terms; :func:`verify_formula` compares
them with every given term and records how much of that agreement is
evidence: a formula with ``p`` numbers fitted from the data agrees with
the first ``p`` terms by construction, so only the terms beyond those
count.

Terms are indexed from 0 at the first given term, whatever the sequence's
offset in the OEIS.
"""

import contextvars
import logging
import math
from dataclasses import dataclass
from fractions import Fraction

logger = logging.getLogger(__name__)

__all__ = ["FormulaCheck", "MAX_DIGITS", "SequenceFormula", "check_size",
           "verify_formula"]

#: The largest term, in decimal digits, that a formula may compute when
#: no tighter bound is in force (extending a verified formula).
MAX_DIGITS = 10_000

# Bound in force for the formula being computed: verify_formula tightens
# it to a little over the size of the given terms.
_digit_limit = contextvars.ContextVar("digit_limit", default=MAX_DIGITS)

_BITS_PER_DIGIT = math.log2(10)

# Simpler kinds first when the number of fitted parameters is equal.
KIND_ORDER = ("polynomial", "linear recurrence", "hypergeometric",
              "holonomic recurrence", "rational function", "model recurrence")


def check_size(value):
    """
    Raise ``OverflowError`` when ``value`` (an integer or a fraction) has
    more decimal digits than the bound in force, and return it otherwise.

    Formulas call this on every term and intermediate value they compute,
    so that a formula whose terms explode is rejected instead of
    exhausting the memory or the time of the caller.

    EXAMPLES::

        sage: from sage_neural.sequences.formula import check_size
        sage: check_size(10^100)
        10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
        sage: check_size(2^100000)
        Traceback (most recent call last):
        ...
        OverflowError: a term with more than 10000 digits
    """
    limit = _digit_limit.get()
    if isinstance(value, Fraction):
        bits = max(value.numerator.bit_length(), value.denominator.bit_length())
    else:
        bits = int(value).bit_length()
    if bits > (limit + 1) * _BITS_PER_DIGIT:
        raise OverflowError(f"a term with more than {limit} digits")
    return value


def _digits(value):
    """Decimal digits of ``|value|``, without converting it to a string."""
    value = abs(value)
    if value < 10:
        return 1
    estimate = int(value.bit_length() / _BITS_PER_DIGIT)
    # The estimate is off by at most one.
    return estimate + 1 if value >= 10 ** estimate else estimate


class SequenceFormula:
    """
    A formula or recurrence for an integer sequence, with the numbers it
    took from the data.

    Subclasses set ``kind`` (a short phrase such as ``'linear recurrence'``)
    and ``free_parameters`` (how many numbers were fitted from the given
    terms: coefficients plus initial values), and implement
    :meth:`terms` and ``__str__``.

    EXAMPLES::

        sage: from sage_neural.sequences.formula import SequenceFormula
        sage: class Squares(SequenceFormula):
        ....:     kind = 'polynomial'
        ....:     free_parameters = 3
        ....:     def terms(self, count):
        ....:         return [n^2 for n in range(count)]
        ....:     def __str__(self):
        ....:         return 'a(n) = n^2'
        sage: f = Squares()
        sage: f.terms(5), f.complexity()
        ([0, 1, 4, 9, 16], (3, 0, 0))
        sage: f
        <polynomial: a(n) = n^2>
    """

    kind = "formula"
    free_parameters = 0

    def terms(self, count):
        """
        The first ``count`` terms as Python integers, index 0 being the
        first given term.

        Raises ``ArithmeticError`` when a term is undefined or not an
        integer, and ``OverflowError`` (from :func:`check_size`) when a term
        grows past the bound in force.
        """
        raise NotImplementedError("a sequence formula must implement terms()")

    def height(self):
        """The size of the formula's numbers, in bits; ties are broken by it."""
        return 0

    def complexity(self):
        """
        A sort key, simpler formulas first: the number of fitted
        parameters, then the kind (polynomial, linear recurrence,
        hypergeometric, holonomic, ...), then the size of the numbers.
        """
        try:
            rank = KIND_ORDER.index(self.kind)
        except ValueError:
            rank = len(KIND_ORDER)
        return (self.free_parameters, rank, self.height())

    def _latex_(self):
        return r"\text{" + str(self).replace("_", r"\_") + "}"

    def __repr__(self):
        return f"<{self.kind}: {self}>"


@dataclass(frozen=True)
class FormulaCheck:
    """
    The outcome of :func:`verify_formula`: ``verified``, the number of
    given terms ``checked``, how many of them lie ``beyond_fit`` (checked
    minus the formula's free parameters), and a ``reason`` when rejected.
    """

    verified: bool
    checked: int
    beyond_fit: int
    reason: str = ""


def _compare(formula, terms, digits):
    """The comparison itself, under a bound of ``digits`` per term."""
    token = _digit_limit.set(digits)
    try:
        values = formula.terms(len(terms))
    except (ArithmeticError, ValueError, OverflowError) as error:
        # ZeroDivisionError is an ArithmeticError.
        return FormulaCheck(False, 0, -formula.free_parameters,
                            f"cannot compute the terms: {error}")
    finally:
        _digit_limit.reset(token)

    if len(values) != len(terms):
        return FormulaCheck(False, 0, -formula.free_parameters,
                            f"the formula gave {len(values)} terms, "
                            f"{len(terms)} were asked for")
    for n, (value, given) in enumerate(zip(values, terms)):
        if isinstance(value, bool) or not isinstance(value, int):
            return FormulaCheck(False, n, n - formula.free_parameters,
                                f"a({n}) is {value!r}, not a Python integer")
        if value != given:
            return FormulaCheck(False, n + 1, n + 1 - formula.free_parameters,
                                f"a({n}) = {value} computed, {given} given")
    checked = len(terms)
    return FormulaCheck(True, checked, checked - formula.free_parameters)


def verify_formula(formula, terms, min_beyond_fit=0, seconds=None):
    """
    Check ``formula`` against every term of ``terms``, exactly.

    INPUT:

    - ``formula`` -- a :class:`SequenceFormula`
    - ``terms`` -- the given terms, integers
    - ``min_beyond_fit`` -- (default: 0) reject the formula unless at least
      this many terms beyond its free parameters agree
    - ``seconds`` -- (default: no limit) compute the terms in a forked
      child that is killed after this many seconds; for formulas whose
      terms may be slow to compute

    OUTPUT: a :class:`FormulaCheck`

    While the terms are computed, :func:`check_size` allows twice the
    digits of the largest given term plus 100: a formula whose terms grow
    beyond that cannot match and is rejected without finishing.

    EXAMPLES::

        sage: from sage_neural.sequences.guessers import LinearRecurrence
        sage: from sage_neural.sequences.formula import verify_formula
        sage: fibonacci = LinearRecurrence([1, 1], [0, 1])
        sage: verify_formula(fibonacci, [0, 1, 1, 2, 3, 5, 8, 13, 21, 34])
        FormulaCheck(verified=True, checked=10, beyond_fit=6, reason='')
        sage: verify_formula(fibonacci, [0, 1, 1, 2, 3, 5, 8, 13, 21, 35])
        FormulaCheck(verified=False, checked=10, beyond_fit=6, reason='a(9) = 34 computed, 35 given')
        sage: verify_formula(fibonacci, [0, 1, 1, 2, 3, 5], min_beyond_fit=4)
        FormulaCheck(verified=False, checked=6, beyond_fit=2, reason='only 2 terms beyond the 4 fitted parameters, at least 4 required')
        sage: verify_formula(LinearRecurrence([10^60], [1]), [1, 2, 3, 4, 5, 6])
        FormulaCheck(verified=False, checked=0, beyond_fit=-2, reason='cannot compute the terms: a term with more than 102 digits')
    """
    terms = [int(t) for t in terms]
    digits = 2 * max((_digits(t) for t in terms), default=1) + 100

    if seconds is None:
        check = _compare(formula, terms, digits)
    else:
        from ..timeout import TimeLimitExceeded, call_with_time_limit
        try:
            check = call_with_time_limit(_compare, formula, terms, digits,
                                         seconds=seconds)
        except TimeLimitExceeded:
            check = FormulaCheck(False, 0, -formula.free_parameters,
                                 f"computing the terms took more than {seconds:g} s")
        except Exception as error:  # the child failed: a rejection
            check = FormulaCheck(False, 0, -formula.free_parameters,
                                 f"the check failed: {error}")

    if check.verified and check.beyond_fit < min_beyond_fit:
        return FormulaCheck(False, check.checked, check.beyond_fit,
                            f"only {check.beyond_fit} terms beyond the "
                            f"{formula.free_parameters} fitted parameters, at "
                            f"least {min_beyond_fit} required")
    return check
