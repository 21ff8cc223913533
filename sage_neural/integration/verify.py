"""
The one verification function for antiderivatives.

A candidate ``F`` is an antiderivative of ``f`` in ``x`` when ``F' - f`` is
zero. Sage's automatic normalisation sometimes shows that outright; otherwise
the residual is evaluated at random points, with the parameters also set to
random values, in 200-bit complex arithmetic. Every point must give a
residual that is tiny relative to the size of ``f`` there; points where
either side is not finite are skipped, and too few usable points means the
candidate is not verified. A wrong answer is never called verified because a
simplifier was too weak; a right answer may be left unverified when too few
points can be evaluated, which is the safe side.
"""

import logging
import random
from dataclasses import dataclass

logger = logging.getLogger(__name__)

#: Precision of the numerical checks, in bits.
PRECISION = 200


@dataclass
class Verification:
    """The outcome of :func:`verify_antiderivative`."""

    verified: bool
    method: str          # "exact", "numeric" or "failed"
    points: int = 0      # points at which the residual was evaluated
    reason: str = ""

    def __bool__(self):
        return self.verified


def _sage():
    import sage.all__sagemath_symbolics as sg
    return sg


def _sample_points(rng, count):
    """Random test points: mostly positive reals, some negative, some complex."""
    points = []
    for i in range(count):
        if i % 4 == 3:
            points.append(complex(rng.uniform(-2, 2), rng.uniform(0.1, 1.5)))
        elif i % 4 == 2:
            points.append(-rng.uniform(0.15, 2.5))
        else:
            points.append(rng.uniform(0.15, 2.5))
    return points


def verify_antiderivative(integrand, antiderivative, x, points=8, seed=0,
                          tolerance_bits=160):
    """
    Whether ``antiderivative`` differentiates back to ``integrand`` in ``x``.

    INPUT:

    - ``integrand``, ``antiderivative`` -- symbolic expressions
    - ``x`` -- the variable
    - ``points`` -- the number of random points that must all agree
    - ``seed`` -- seed of the random points (reproducible by default)
    - ``tolerance_bits`` -- a residual counts as zero when it is below
      ``2^-tolerance_bits`` times the size of the integrand at the point

    OUTPUT: a :class:`Verification`, true when verified

    EXAMPLES::

        sage: from sage_neural.integration.verify import verify_antiderivative
        sage: x = SR.var('x')
        sage: verify_antiderivative(x*cos(x), x*sin(x) + cos(x), x)
        Verification(verified=True, method='exact', points=0, reason='')
        sage: verify_antiderivative(x*cos(x), x*sin(x), x).verified
        False
        sage: a = SR.var('a')
        sage: verify_antiderivative(1/(x^2 + a^2), arctan(x/a)/a, x).method
        'numeric'
    """
    sg = _sage()
    SR = sg.SR
    integrand, antiderivative = SR(integrand), SR(antiderivative)
    residual = antiderivative.derivative(x) - integrand
    if residual.is_trivial_zero():
        return Verification(True, "exact")

    # Parameters get random values too; the same at every point.
    rng = random.Random(seed)
    C = sg.ComplexField(PRECISION)
    parameters = sorted((v for v in residual.variables()
                         if not v.is_trivially_equal(x)), key=str)
    values = {p: C(rng.uniform(0.3, 2.0)) for p in parameters}
    threshold = sg.RealField(PRECISION)(2) ** (-tolerance_bits)

    checked = 0
    for point in _sample_points(rng, 3 * points):
        values[x] = C(point.real, point.imag) if isinstance(point, complex) else C(point)
        try:
            r = C(residual.subs(values))
            size = C(integrand.subs(values))
        except (ArithmeticError, ValueError, TypeError, ZeroDivisionError):
            continue
        if not (r.is_finite() if hasattr(r, "is_finite") else True):
            continue
        if r.abs().is_NaN() or size.abs().is_NaN() or size.abs().is_infinity():
            continue
        if r.abs() > threshold * max(size.abs(), 1):
            return Verification(False, "failed", checked + 1,
                                f"F' - f = {r.n(30)} at x = {point}")
        checked += 1
        if checked == points:
            return Verification(True, "numeric", checked)
    return Verification(False, "failed", checked,
                        f"only {checked} of {points} points could be evaluated")
