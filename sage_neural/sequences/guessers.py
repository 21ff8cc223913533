"""
Exact classical guessers for integer sequences.

Each guesser fits the numbers of a formula (coefficients and initial
values) on the first terms of the sequence only, so that the remaining
terms are left over as checks. The guessers propose; nothing here is an
answer until :func:`sage_neural.sequences.formula.verify_formula` has
compared it with every given term.

The kinds of formula, with their free parameters (the numbers fitted
from the data):

- :class:`PolynomialFormula`, ``a(n) = p(n)`` of degree ``d``: ``d + 1``;
- :class:`LinearRecurrence` with constant coefficients, of order ``L``:
  ``L`` coefficients and ``L`` initial values;
- :class:`HolonomicRecurrence`, ``sum p_i(n) a(n+i) = 0`` for
  ``i = 0..r`` with ``deg p_i <= d``: ``(r + 1)(d + 1) - 1`` coefficients
  (up to a common factor), ``r`` initial values, and one more value for
  each ``n`` where the leading coefficient vanishes; order 1 is a
  hypergeometric term, ``a(n+1)/a(n)`` a rational function of ``n``;
- :class:`RationalFormula`, ``a(n) = p(n)/q(n)``: ``deg p + deg q + 1``.
  A rational function that is an integer at every ``n >= 0`` is a
  polynomial, so on integer sequences this kind rarely finds anything the
  polynomials miss; it is kept for sequences given only in part.

Only shapes that leave at least ``min_beyond_fit`` of the given terms
beyond their free parameters are tried: :data:`MIN_BEYOND_FIT` by default.
"""

import logging
import math
import time
from fractions import Fraction

from .formula import SequenceFormula, check_size

logger = logging.getLogger(__name__)

__all__ = ["HolonomicRecurrence", "LinearRecurrence", "MIN_BEYOND_FIT",
           "PolynomialFormula", "RationalFormula", "candidates",
           "guess_holonomic", "guess_linear_recurrences", "guess_polynomial",
           "guess_rational"]

#: How many given terms beyond a formula's free parameters must agree
#: before the formula is believed. Chosen by measurement on the training
#: split of the OEIS (see :mod:`sage_neural.sequences.evaluate`).
MIN_BEYOND_FIT = 8

#: The fits use at most this many of the first terms (all terms are
#: still checked), which bounds the orders and degrees tried.
MAX_FIT_TERMS = 48

# Largest order and degree of a holonomic recurrence that is tried.
MAX_ORDER = 6
MAX_DEGREE = 8


def _sage():
    """Sage's rings, loaded on first use (importing this module loads no Sage)."""
    import sage.all__sagemath_symbolics  # noqa: F401  (sets Sage up)
    from sage.rings.integer_ring import ZZ
    from sage.rings.rational_field import QQ
    return ZZ, QQ


def _fraction(c):
    """A Python int, Fraction or Sage rational as a Fraction."""
    if isinstance(c, (int, Fraction)):
        return Fraction(c)
    return Fraction(int(c.numerator()), int(c.denominator()))


def _value(coefficients, n):
    """``sum coefficients[j] * n^j`` by Horner's rule, exactly."""
    total = 0
    for c in reversed(coefficients):
        total = total * n + c
    return total


# ---------------------------------------------------------------------------
#  Writing formulas
# ---------------------------------------------------------------------------

def _polynomial(coefficients, shift=0):
    """The Sage polynomial ``sum c_j (n - shift)^j`` over QQ, in ``n``."""
    _, QQ = _sage()
    R = QQ["n"]
    p = R([QQ(c) for c in coefficients])
    return p(R.gen() - shift) if shift else p


def _factor(p):
    """``p`` written as a factor of a product: parenthesized when a sum."""
    text = str(p)
    return f"({text})" if len(p.coefficients()) > 1 else text


def _combination(pairs):
    """
    ``c_1*s_1 + c_2*s_2 + ...`` for polynomials ``c_i`` and symbols
    ``s_i``, with unit factors left out and signs pulled to the front.
    """
    parts = []
    for p, symbol in pairs:
        if p.is_zero():
            continue
        negative = p.leading_coefficient() < 0
        q = -p if negative else p
        text = symbol if q == 1 else f"{_factor(q)}*{symbol}"
        parts.append(("-" if negative else "+", text))
    if not parts:
        return "0"
    sign, text = parts[0]
    out = [("-" if sign == "-" else "") + text]
    out.extend(f" {sign} {text}" for sign, text in parts[1:])
    return "".join(out)


def _lowest_terms(numerator, denominator):
    """``numerator/denominator`` reduced, with coprime integer coefficients."""
    g = numerator.gcd(denominator)
    numerator, denominator = numerator // g, denominator // g
    coefficients = _primitive(list(numerator) + list(denominator))
    split = numerator.degree() + 1
    numerator = _polynomial(coefficients[:split])
    denominator = _polynomial(coefficients[split:])
    if denominator.leading_coefficient() < 0:
        numerator, denominator = -numerator, -denominator
    return numerator, denominator


def _initial_text(values, start=0):
    return ", ".join(f"a({start + i}) = {v}" for i, v in enumerate(values))


def _height(numbers):
    """Total size in bits of the numerators and denominators of ``numbers``."""
    total = 0
    for c in numbers:
        c = Fraction(c)
        total += c.numerator.bit_length() + c.denominator.bit_length()
    return total


# ---------------------------------------------------------------------------
#  The kinds of formula
# ---------------------------------------------------------------------------

class PolynomialFormula(SequenceFormula):
    """
    ``a(n) = p(n)``, stored by its forward differences at 0 (Newton's form
    ``a(n) = sum_j D_j binomial(n, j)``), so that the ``D_j`` are integers.

    EXAMPLES::

        sage: from sage_neural.sequences.guessers import PolynomialFormula
        sage: f = PolynomialFormula([1, 1, 2])    # n^2 + 1
        sage: f.terms(6), f.free_parameters
        ([1, 2, 5, 10, 17, 26], 3)
        sage: print(f)
        a(n) = n^2 + 1
    """

    kind = "polynomial"

    def __init__(self, differences):
        self.differences = [int(d) for d in differences]
        while len(self.differences) > 1 and self.differences[-1] == 0:
            self.differences.pop()
        self.free_parameters = len(self.differences)

    @property
    def degree(self):
        return len(self.differences) - 1

    def polynomial(self):
        """The polynomial in ``n`` over QQ."""
        _, QQ = _sage()
        n = QQ["n"].gen()
        p, binomial = 0 * n, 1 + 0 * n
        for j, d in enumerate(self.differences):
            p += d * binomial
            binomial = binomial * (n - j) / (j + 1)
        return p

    def terms(self, count):
        # Run the difference table forwards: only additions.
        row = list(self.differences)
        values = []
        for _ in range(count):
            values.append(check_size(row[0]))
            for j in range(len(row) - 1):
                row[j] += row[j + 1]
        return values

    def height(self):
        return _height(self.differences)

    def __str__(self):
        return f"a(n) = {self.polynomial()}"

    def _latex_(self):
        from sage.misc.latex import latex
        return f"a(n) = {latex(self.polynomial())}"


class LinearRecurrence(SequenceFormula):
    """
    ``a(n) = c_1 a(n-1) + ... + c_L a(n-L)`` for ``n >= L``, with constant
    rational coefficients and the initial values ``a(0), ..., a(L-1)``.

    EXAMPLES::

        sage: from sage_neural.sequences.guessers import LinearRecurrence
        sage: f = LinearRecurrence([2, 1], [1, 1])
        sage: f.terms(8)
        [1, 1, 3, 7, 17, 41, 99, 239]
        sage: print(f)
        a(n) = 2*a(n-1) + a(n-2) for n >= 2, a(0) = 1, a(1) = 1
        sage: LinearRecurrence([1/2], [3]).terms(3)
        Traceback (most recent call last):
        ...
        ArithmeticError: a(1) = 3/2 is not an integer
    """

    kind = "linear recurrence"

    def __init__(self, coefficients, initial):
        self.coefficients = [_fraction(c) for c in coefficients]
        self.initial = [int(v) for v in initial]
        if len(self.initial) != len(self.coefficients):
            raise ValueError(f"expected {len(self.coefficients)} initial values, "
                             f"got {len(self.initial)}")
        self.free_parameters = 2 * len(self.coefficients)

    @property
    def order(self):
        return len(self.coefficients)

    def terms(self, count):
        # Integer arithmetic: scale the coefficients to a common denominator.
        denominator = math.lcm(*(c.denominator for c in self.coefficients)) \
            if self.coefficients else 1
        scaled = [int(c * denominator) for c in self.coefficients]
        values = [check_size(v) for v in self.initial[:count]]
        while len(values) < count:
            total = sum(c * values[-1 - i] for i, c in enumerate(scaled) if c)
            quotient, remainder = divmod(total, denominator)
            if remainder:
                raise ArithmeticError(f"a({len(values)}) = "
                                      f"{Fraction(total, denominator)} is not an integer")
            values.append(check_size(quotient))
        return values

    def height(self):
        return _height(self.coefficients) + _height(self.initial)

    def _right_side(self):
        pairs = [(_polynomial([c]), f"a(n-{i + 1})")
                 for i, c in enumerate(self.coefficients)]
        return _combination(pairs)

    def __str__(self):
        if not self.coefficients:
            return "a(n) = 0"
        return (f"a(n) = {self._right_side()} for n >= {self.order}, "
                f"{_initial_text(self.initial)}")


class HolonomicRecurrence(SequenceFormula):
    """
    ``p_r(n) a(n+r) + ... + p_1(n) a(n+1) + p_0(n) a(n) = 0`` for
    ``n >= 0``, with integer polynomials ``p_i`` and the initial values
    ``a(0), ..., a(r-1)``. Where ``p_r(n)`` vanishes the recurrence does not
    determine ``a(n+r)``: those values are taken from the data
    (``exceptional``), and past the data the sequence is undefined.

    INPUT:

    - ``polynomials`` -- ``[p_0, ..., p_r]``, each a list of integer
      coefficients, constant term first
    - ``initial`` -- the first ``r`` terms
    - ``exceptional`` -- (default: none) a dictionary ``{index: value}``
    - ``free_parameters`` -- (default: counted from the shape) the numbers
      fitted from the data

    EXAMPLES::

        sage: from sage_neural.sequences.guessers import HolonomicRecurrence
        sage: catalan = HolonomicRecurrence([[-2, -4], [2, 1]], [1])
        sage: catalan.terms(8)
        [1, 1, 2, 5, 14, 42, 132, 429]
        sage: print(catalan), catalan.kind, catalan.free_parameters
        a(n) = (4*n - 2)/(n + 1)*a(n-1) for n >= 1, a(0) = 1
        (None, 'hypergeometric', 4)
        sage: motzkin = HolonomicRecurrence([[-3, -3], [-5, -2], [4, 1]], [1, 1])
        sage: print(motzkin)
        (n + 2)*a(n) = (2*n + 1)*a(n-1) + (3*n - 3)*a(n-2) for n >= 2, a(0) = 1, a(1) = 1
        sage: motzkin.terms(9)
        [1, 1, 2, 4, 9, 21, 51, 127, 323]
        sage: HolonomicRecurrence([[3, -1], [-3, 1]], [1]).terms(5)
        Traceback (most recent call last):
        ...
        ArithmeticError: the leading coefficient vanishes at n = 4: a(4) is not determined
    """

    def __init__(self, polynomials, initial, exceptional=None, free_parameters=None):
        self.polynomials = [[int(c) for c in p] for p in polynomials]
        for p in self.polynomials:
            while len(p) > 1 and p[-1] == 0:
                p.pop()
        if len(self.polynomials) < 2 or not any(self.polynomials[-1]):
            raise ValueError("expected at least two polynomials, the last one nonzero")
        self.initial = [int(v) for v in initial]
        if len(self.initial) != self.order:
            raise ValueError(f"expected {self.order} initial values, "
                             f"got {len(self.initial)}")
        self.exceptional = {int(i): int(v) for i, v in (exceptional or {}).items()}
        self.kind = "hypergeometric" if self.order == 1 else "holonomic recurrence"
        if free_parameters is None:
            free_parameters = ((self.order + 1) * (self.degree + 1) - 1 + self.order
                               + len(self.exceptional))
        self.free_parameters = free_parameters

    @property
    def order(self):
        return len(self.polynomials) - 1

    @property
    def degree(self):
        return max(len(p) for p in self.polynomials) - 1

    def terms(self, count):
        r = self.order
        leading, lower = self.polynomials[r], self.polynomials[:r]
        values = [check_size(v) for v in self.initial[:count]]
        for m in range(r, count):
            n = m - r
            total = -sum(_value(p, n) * values[n + i] for i, p in enumerate(lower))
            check_size(total)
            lead = _value(leading, n)
            if lead == 0:
                if m not in self.exceptional:
                    raise ArithmeticError(f"the leading coefficient vanishes at "
                                          f"n = {m}: a({m}) is not determined")
                if total:
                    raise ArithmeticError(f"the recurrence fails at n = {m}")
                values.append(check_size(self.exceptional[m]))
                continue
            quotient, remainder = divmod(total, lead)
            if remainder:
                raise ArithmeticError(f"a({m}) = {Fraction(total, lead)} is not an "
                                      "integer")
            values.append(check_size(quotient))
        return values

    def height(self):
        return _height(c for p in self.polynomials for c in p) + _height(self.initial)

    def _shifted(self):
        """The polynomials in the form ``P_i(n) a(n-r+i)``, valid for ``n >= r``."""
        r = self.order
        return [_polynomial(p, shift=r) for p in self.polynomials]

    def __str__(self):
        r = self.order
        shifted = self._shifted()
        lead = shifted[r]
        right = [(-shifted[i], f"a(n-{r - i})") for i in reversed(range(r))]
        if r == 1 and not lead.is_constant():
            numerator, denominator = _lowest_terms(-shifted[0], lead)
            text = (f"a(n) = {_factor(numerator)}/{_factor(denominator)}*a(n-1)"
                    if not denominator.is_constant() else
                    f"a(n) = {_combination([(numerator / denominator, 'a(n-1)')])}")
        elif lead == 1:
            text = f"a(n) = {_combination(right)}"
        else:
            text = f"{_factor(lead)}*a(n) = {_combination(right)}"
        extra = "".join(f", a({i}) = {v}" for i, v in sorted(self.exceptional.items()))
        return f"{text} for n >= {r}, {_initial_text(self.initial)}{extra}"

    def _latex_(self):
        return r"\text{" + str(self) + "}"


class RationalFormula(SequenceFormula):
    """
    ``a(n) = p(n)/q(n)`` for integer polynomials ``p`` and ``q``.

    EXAMPLES::

        sage: from sage_neural.sequences.guessers import RationalFormula
        sage: f = RationalFormula([6, 0, 0], [1, 1])     # 6/(n + 1)
        sage: print(f)
        a(n) = 6/(n + 1)
        sage: f.terms(3)
        [6, 3, 2]
        sage: f.terms(4)
        Traceback (most recent call last):
        ...
        ArithmeticError: a(3) = 3/2 is not an integer
    """

    kind = "rational function"

    def __init__(self, numerator, denominator):
        self.numerator = [int(c) for c in numerator]
        self.denominator = [int(c) for c in denominator]
        while len(self.numerator) > 1 and self.numerator[-1] == 0:
            self.numerator.pop()
        while len(self.denominator) > 1 and self.denominator[-1] == 0:
            self.denominator.pop()
        self.free_parameters = len(self.numerator) + len(self.denominator) - 1

    def terms(self, count):
        values = []
        for n in range(count):
            p, q = _value(self.numerator, n), _value(self.denominator, n)
            if q == 0:
                raise ArithmeticError(f"the denominator vanishes at n = {n}")
            quotient, remainder = divmod(p, q)
            if remainder:
                raise ArithmeticError(f"a({n}) = {Fraction(p, q)} is not an integer")
            values.append(check_size(quotient))
        return values

    def height(self):
        return _height(self.numerator) + _height(self.denominator)

    def __str__(self):
        p, q = _polynomial(self.numerator), _polynomial(self.denominator)
        return f"a(n) = {_factor(p)}/{_factor(q)}"


# ---------------------------------------------------------------------------
#  Fitting
# ---------------------------------------------------------------------------

def _primitive(vector):
    """A rational vector scaled to coprime integers."""
    vector = [_fraction(c) for c in vector]
    scale = math.lcm(*(c.denominator for c in vector))
    integers = [int(c * scale) for c in vector]
    content = math.gcd(*integers) or 1
    return [c // content for c in integers]


def _kernel(rows, columns):
    """A basis of the right kernel of an integer matrix, over QQ."""
    _, QQ = _sage()
    from sage.matrix.constructor import matrix
    return matrix(QQ, len(rows), columns, rows).right_kernel().basis()


def guess_polynomial(terms, min_beyond_fit=MIN_BEYOND_FIT):
    """
    The polynomial of least degree ``d`` whose ``(d+1)``-th differences
    vanish on the terms, fitted on the first ``d + 1`` terms; ``[]`` when the
    degree would leave fewer than ``min_beyond_fit`` checks.

    EXAMPLES::

        sage: from sage_neural.sequences.guessers import guess_polynomial
        sage: guess_polynomial([n^2 + 1 for n in range(12)])
        [<polynomial: a(n) = n^2 + 1>]
        sage: guess_polynomial([1, 2, 4, 8, 16, 32, 64, 128, 256, 512])
        []
    """
    terms = [int(t) for t in terms]
    largest = len(terms) - min_beyond_fit - 1
    row, differences = list(terms), []
    for degree in range(largest + 1):
        differences.append(row[0])
        row = [b - a for a, b in zip(row, row[1:])]
        if not any(row):
            # Fitted on the first degree + 1 terms; the rest are checks.
            return [PolynomialFormula(differences)]
    return []


def _shortest_recurrence(prefix):
    """
    The shortest linear recurrence with constant coefficients generating
    ``prefix`` (of even length ``2m``), as ``(coefficients, length)``, or
    ``None`` when it is not determined by the prefix (length above ``m``).

    This is the Berlekamp-Massey problem solved by the extended Euclidean
    algorithm on ``x^(2m)`` and the generating polynomial ``A(x)``: it stops
    at the first remainder ``R`` of degree below ``m``; the cofactor ``C`` of
    ``A`` then satisfies ``C A = R`` modulo ``x^(2m)``, and ``C`` is the
    connection polynomial. Unlike Sage's ``berlekamp_massey``, the length is
    ``max(deg C, deg R + 1)``, which keeps recurrences that hold only from
    some index on (such as ``5, 1, 2, 4, 8, ...``).
    """
    _, QQ = _sage()
    R = QQ["x"]
    x = R.gen()
    m = len(prefix) // 2
    r0, r1 = x ** (2 * m), R([QQ(t) for t in prefix])
    s0, s1 = R(0), R(1)
    while r1.degree() >= m:
        q, remainder = r0.quo_rem(r1)
        r0, r1 = r1, remainder
        s0, s1 = s1, s0 - q * s1
    if s1[0] == 0:
        return None
    connection = s1 / s1[0]
    length = max(connection.degree(), r1.degree() + 1)
    if length > m:
        return None
    coefficients = [-connection[i] for i in range(1, length + 1)]
    return coefficients, length


def guess_linear_recurrences(terms, min_beyond_fit=MIN_BEYOND_FIT):
    """
    Linear recurrences with constant coefficients: for each even prefix
    ``2m`` that leaves ``min_beyond_fit`` checks, the shortest recurrence
    of the prefix when the prefix determines it.

    EXAMPLES::

        sage: from sage_neural.sequences.guessers import guess_linear_recurrences
        sage: guess_linear_recurrences([0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89])
        [<linear recurrence: a(n) = a(n-1) + a(n-2) for n >= 2, a(0) = 0, a(1) = 1>]
        sage: guess_linear_recurrences([5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024])
        [<linear recurrence: a(n) = 1/5*a(n-1) for n >= 1, a(0) = 5>,
         <linear recurrence: a(n) = 2*a(n-1) for n >= 2, a(0) = 5, a(1) = 1>]

    The first, fitted on two terms, fails on the third; the second holds.
    """
    terms = [int(t) for t in terms]
    usable = min(len(terms) - min_beyond_fit, MAX_FIT_TERMS)
    found, seen = [], set()
    for m in range(1, usable // 2 + 1):
        shortest = _shortest_recurrence(terms[:2 * m])
        if shortest is None:
            continue
        coefficients, length = shortest
        key = (tuple(coefficients), length)
        if key in seen:
            continue
        seen.add(key)
        # A recurrence of length L is fixed by its first 2L terms; the
        # prefix of 2m terms that found it agrees with it by construction.
        if 2 * length <= len(terms) - min_beyond_fit:
            found.append(LinearRecurrence(coefficients, terms[:length]))
    return found


def _holonomic_shapes(count, min_beyond_fit):
    """(order, degree) pairs leaving ``min_beyond_fit`` checks, fewest parameters first."""
    shapes = []
    for r in range(1, MAX_ORDER + 1):
        for d in range(1, MAX_DEGREE + 1):
            parameters = (r + 1) * (d + 1) - 1 + r
            if parameters <= min(count, MAX_FIT_TERMS) - min_beyond_fit:
                shapes.append((parameters, r, d))
    return [(r, d) for _, r, d in sorted(shapes)]


def _fit_holonomic(terms, r, d, usable):
    """
    A recurrence of order ``r`` and degree ``d`` fitted on as few of the
    first ``usable`` terms as give a one-dimensional kernel, or ``None``.
    """
    unknowns = (r + 1) * (d + 1)

    def row(n):
        # Column i*(d+1) + j holds the coefficient of n^j in p_i.
        return [n ** j * terms[n + i] for i in range(r + 1) for j in range(d + 1)]

    equations = unknowns - 1
    rows = [row(n) for n in range(equations)]
    while True:
        kernel = _kernel(rows, unknowns)
        if len(kernel) <= 1 or r + equations >= usable:
            break
        # Too many solutions: the data so far cannot pin the recurrence.
        rows.append(row(equations))
        equations += 1
    if len(kernel) != 1:
        return None

    vector = _primitive(kernel[0])
    polynomials = [vector[i * (d + 1):(i + 1) * (d + 1)] for i in range(r + 1)]
    if not any(polynomials[r]) or not any(polynomials[0]):
        # A vanishing p_r (or p_0) is a recurrence of lower order in disguise.
        return None
    if polynomials[r][max(j for j, c in enumerate(polynomials[r]) if c)] < 0:
        polynomials = [[-c for c in p] for p in polynomials]

    exceptional = {n + r: terms[n + r] for n in range(len(terms) - r)
                   if _value(polynomials[r], n) == 0}
    free = max(equations, unknowns - 1) + r + len(exceptional)
    return HolonomicRecurrence(polynomials, terms[:r], exceptional, free)


def guess_holonomic(terms, min_beyond_fit=MIN_BEYOND_FIT, deadline=None):
    """
    Linear recurrences with polynomial coefficients, of order 1 to
    :data:`MAX_ORDER` and degree 1 to :data:`MAX_DEGREE` (degree 0 is
    :func:`guess_linear_recurrences`), each fitted on the first terms by a
    kernel vector of the linear system ``sum_i p_i(n) a(n+i) = 0``.

    Shapes with fewer parameters come first; ``deadline`` (a
    ``time.perf_counter()`` value) stops the search early.

    EXAMPLES::

        sage: from sage_neural.sequences.guessers import guess_holonomic
        sage: guess_holonomic([factorial(n) for n in range(14)])[0]
        <hypergeometric: a(n) = n*a(n-1) for n >= 1, a(0) = 1>
        sage: motzkin = [1, 1, 2, 4, 9, 21, 51, 127, 323, 835, 2188, 5798, 15511, 41835, 113634, 310572]
        sage: from sage_neural.sequences.formula import verify_formula
        sage: [f for f in guess_holonomic(motzkin) if verify_formula(f, motzkin).verified]
        [<holonomic recurrence: (n + 2)*a(n) = (2*n + 1)*a(n-1) + (3*n - 3)*a(n-2) for n >= 2, a(0) = 1, a(1) = 1>]
    """
    terms = [int(t) for t in terms]
    usable = min(len(terms), MAX_FIT_TERMS) - min_beyond_fit
    found = []
    for r, d in _holonomic_shapes(len(terms), min_beyond_fit):
        if deadline is not None and time.perf_counter() > deadline:
            logger.info("holonomic guessing stopped at order %d, degree %d: "
                        "time is up", r, d)
            break
        formula = _fit_holonomic(terms, r, d, usable)
        # Values taken from the data where p_r vanishes may use up the checks.
        if formula is not None and \
                formula.free_parameters <= len(terms) - min_beyond_fit:
            found.append(formula)
    return found


def guess_rational(terms, min_beyond_fit=MIN_BEYOND_FIT, max_degree=2):
    """
    ``a(n) = p(n)/q(n)`` with ``1 <= deg q <= max_degree`` and
    ``deg p <= deg q + 2``, fitted on the first ``deg p + deg q + 1`` terms;
    fractions that reduce to polynomials are left to :func:`guess_polynomial`.

    EXAMPLES::

        sage: from sage_neural.sequences.guessers import guess_rational
        sage: guess_rational([360360 // (n + 1) for n in range(13)], min_beyond_fit=6)
        [<rational function: a(n) = 360360/(n + 1)>]
    """
    _, QQ = _sage()
    terms = [int(t) for t in terms]
    found, seen = [], set()
    for dq in range(1, max_degree + 1):
        for dp in range(0, dq + 3):
            unknowns = dp + dq + 2
            if unknowns - 1 > len(terms) - min_beyond_fit:
                continue
            rows = [[n ** j for j in range(dp + 1)]
                    + [-terms[n] * n ** j for j in range(dq + 1)]
                    for n in range(unknowns - 1)]
            kernel = _kernel(rows, unknowns)
            if len(kernel) != 1:
                continue
            vector = _primitive(kernel[0])
            p, q = _polynomial(vector[:dp + 1]), _polynomial(vector[dp + 1:])
            if q.is_zero():
                continue
            p, q = _lowest_terms(p, q)
            if q.is_constant():
                continue
            key = tuple(p), tuple(q)
            if key not in seen:
                seen.add(key)
                found.append(RationalFormula([int(c) for c in p], [int(c) for c in q]))
    return found


def candidates(terms, min_beyond_fit=MIN_BEYOND_FIT, deadline=None):
    """
    All formulas the classical guessers propose for ``terms``, unverified.

    INPUT:

    - ``terms`` -- the given terms, integers
    - ``min_beyond_fit`` -- (default: :data:`MIN_BEYOND_FIT`) only shapes
      that leave at least this many terms beyond their free parameters
    - ``deadline`` -- (default: none) a ``time.perf_counter()`` value after
      which the slower guessers stop

    OUTPUT: a list of :class:`~sage_neural.sequences.formula.SequenceFormula`

    EXAMPLES::

        sage: from sage_neural.sequences.guessers import candidates
        sage: from sage_neural.sequences.formula import verify_formula
        sage: terms = [2^n + n for n in range(16)]
        sage: verified = [f for f in candidates(terms) if verify_formula(f, terms).verified]
        sage: for f in sorted(verified, key=lambda f: f.complexity()):
        ....:     print(f.free_parameters, f)
        6 a(n) = 4*a(n-1) - 5*a(n-2) + 2*a(n-3) for n >= 3, a(0) = 1, a(1) = 3, a(2) = 6
        8 (n - 3)*a(n) = (3*n - 8)*a(n-1) - (2*n - 4)*a(n-2) for n >= 2, a(0) = 1, a(1) = 3, a(3) = 11
    """
    terms = [int(t) for t in terms]
    found = []
    found += guess_polynomial(terms, min_beyond_fit)
    found += guess_linear_recurrences(terms, min_beyond_fit)
    found += guess_rational(terms, min_beyond_fit)
    found += guess_holonomic(terms, min_beyond_fit, deadline)
    return found
