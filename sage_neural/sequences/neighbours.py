"""
OEIS neighbours: the sequences of the OEIS nearest to a query, with the
exact relations between them.

:func:`oeis_neighbours` encodes the query (see
:mod:`sage_neural.sequences.index`), looks up its nearest vectors in the
index, and for each neighbour searches for an exact relation in the spirit
of the OEIS's superseeker: the same terms at an offset, a constant
multiple, the differences, the partial sums, the binomial transform and
its inverse, a bisection, applied to the neighbour or to the query.
Every reported relation passes through :func:`verify_relation`, which
compares the terms in exact integer and rational arithmetic.

Terms are indexed from 0 at the first given term, whatever the sequence's
offset in the OEIS.
"""

import logging
import time
from dataclasses import dataclass
from fractions import Fraction

from .oeis import CREDIT

logger = logging.getLogger(__name__)

__all__ = ["MIN_OVERLAP", "Neighbour", "Neighbours", "Relation", "RelationCheck",
           "TRANSFORMS",
           "find_relations", "oeis_neighbours", "parse_terms", "query_variants",
           "transform",
           "verify_relation"]


# ---------------------------------------------------------------------------
# Transforms of a sequence, exact


def differences(a):
    """``a(n+1) - a(n)``."""
    return [y - x for x, y in zip(a, a[1:])]


def partial_sums(a):
    """``a(0) + ... + a(n)``."""
    out, total = [], 0
    for x in a:
        total += x
        out.append(total)
    return out


def binomial(a):
    """The binomial transform, ``sum_k C(n, k) a(k)``."""
    # Repeated differences of the reversed prefix give the transform
    # without computing binomial coefficients.
    out, row = [], []
    for x in a:
        row = [x] + row
        for i in range(1, len(row)):
            row[i] = row[i - 1] + row[i]
        out.append(row[-1])
    return out


def inverse_binomial(a):
    """The inverse binomial transform, ``sum_k (-1)^(n-k) C(n, k) a(k)``."""
    out, row = [], []
    for x in a:
        row = [x] + row
        for i in range(1, len(row)):
            row[i] = row[i - 1] - row[i]
        out.append(row[-1])
    return out


def bisection_even(a):
    """``a(2n)``."""
    return list(a[0::2])


def bisection_odd(a):
    """``a(2n+1)``."""
    return list(a[1::2])


#: The transforms a relation may apply, by name, simplest first.
TRANSFORMS = {
    "terms": list,
    "differences": differences,
    "partial sums": partial_sums,
    "binomial transform": binomial,
    "inverse binomial transform": inverse_binomial,
    "even bisection": bisection_even,
    "odd bisection": bisection_odd,
}


def transform(name, terms):
    """
    The transform ``name`` (a key of :data:`TRANSFORMS`) of ``terms``.

    EXAMPLES::

        sage: from sage_neural.sequences.neighbours import transform
        sage: transform('binomial transform', [1, 1, 1, 1])
        [1, 2, 4, 8]
        sage: transform('inverse binomial transform', [1, 2, 4, 8])
        [1, 1, 1, 1]
        sage: transform('partial sums', [1, 2, 3]), transform('differences', [1, 4, 9])
        ([1, 3, 6], [3, 5])
    """
    try:
        function = TRANSFORMS[name]
    except KeyError:
        raise ValueError(f"unknown transform {name!r}: expected one of "
                         f"{', '.join(TRANSFORMS)}") from None
    return function([int(t) for t in terms])


def _fraction(value):
    """``value`` (a Python or Sage integer or rational) as a Fraction."""
    if isinstance(value, Fraction):
        return value
    numerator = getattr(value, "numerator", None)
    if callable(numerator):
        # Sage's rationals name these as methods.
        return Fraction(int(value.numerator()), int(value.denominator()))
    return Fraction(value)


# Short names of the transforms in formulas: f(x) is the transform of x.
_SHORT = {
    "differences": "diff",
    "partial sums": "psum",
    "binomial transform": "binom",
    "inverse binomial transform": "invbinom",
}


# ---------------------------------------------------------------------------
# Relations and their verification

# A relation through a transform of the query says the same as one through
# its inverse on the neighbour (up to a constant for sums).
_INVERSE = {"binomial transform": "inverse binomial transform",
            "inverse binomial transform": "binomial transform",
            "differences": "partial sums", "partial sums": "differences"}

#: Terms a relation must match before it is reported.
MIN_OVERLAP = 6
#: Leading query terms a relation may leave unexplained (the query starts
#: a term or two before the neighbour does).
MAX_LEAD = 2
#: The largest offset searched for relations through a transform (same
#: terms are searched at every offset).
MAX_SHIFT = 8


def _index_text(name, var, shift):
    """``var(n+shift)`` for a transform, with bisections written out."""
    if name == "even bisection":
        inner = f"2n{2 * shift:+d}" if shift else "2n"
        return f"{var}({inner})"
    if name == "odd bisection":
        return f"{var}(2n{2 * shift + 1:+d})"
    at = f"n{shift:+d}" if shift else "n"
    if name == "terms":
        return f"{var}({at})"
    return f"{_SHORT[name]}({var})({at})"


@dataclass(frozen=True)
class Relation:
    """
    An exact relation between a query ``a`` and a neighbour ``b``.

    With ``T`` the transform ``transform`` (a key of :data:`TRANSFORMS`):

    - ``applied_to='neighbour'``: ``a(n) = factor * T(b)(n + shift)``;
    - ``applied_to='query'``: ``T(a)(n) = factor * b(n + shift)``;

    for every ``n`` where both sides are known (indices from 0 at the
    first given term).

    EXAMPLES::

        sage: from fractions import Fraction
        sage: from sage_neural.sequences.neighbours import Relation
        sage: print(Relation('terms', 'neighbour', 1, 1))
        a(n) = b(n+1)
        sage: print(Relation('differences', 'query', 0, Fraction('-2/3')))
        diff(a)(n) = -2/3*b(n)
        sage: print(Relation('even bisection', 'neighbour', 1, 2))
        a(n) = 2*b(2n+2)
    """

    transform: str
    applied_to: str
    shift: int
    factor: Fraction

    def __post_init__(self):
        object.__setattr__(self, "shift", int(self.shift))
        object.__setattr__(self, "factor", _fraction(self.factor))

    def __str__(self):
        c = self.factor
        scale = "" if c == 1 else "-" if c == -1 else f"{c}*"
        if self.applied_to == "neighbour":
            return f"a(n) = {scale}{_index_text(self.transform, 'b', self.shift)}"
        left = _index_text(self.transform, "a", 0)
        right = _index_text("terms", "b", self.shift)
        return f"{left} = {scale}{right}"

    def sort_key(self):
        """Simpler relations first: same terms, a multiple, then transforms."""
        return (self.transform != "terms", self.factor != 1,
                list(TRANSFORMS).index(self.transform), self.applied_to != "neighbour",
                abs(self.shift), abs(self.factor.numerator) + self.factor.denominator)


@dataclass(frozen=True)
class RelationCheck:
    """
    The outcome of :func:`verify_relation`: ``verified``, the number of
    terms ``compared``, and a ``reason`` when rejected.
    """

    verified: bool
    compared: int
    reason: str = ""


def _sides(relation, query, neighbour):
    """The two sequences a relation compares, left and right."""
    if relation.applied_to == "neighbour":
        return list(query), transform(relation.transform, neighbour)
    return transform(relation.transform, query), list(neighbour)


def verify_relation(relation, query, neighbour_terms, min_overlap=MIN_OVERLAP):
    """
    Check ``relation`` between ``query`` and ``neighbour_terms`` in exact
    arithmetic: every term where both sides are known must agree, at
    least ``min_overlap`` terms must be compared, at most
    :data:`MAX_LEAD` leading terms of the left side may be left out, and
    the compared terms may not all be zero.

    This is the one check that every relation reported by
    :func:`oeis_neighbours` passes.

    EXAMPLES::

        sage: from fractions import Fraction
        sage: from sage_neural.sequences.neighbours import Relation, verify_relation
        sage: catalan = [1, 1, 2, 5, 14, 42, 132, 429, 1430, 4862]
        sage: r = Relation('terms', 'neighbour', 1, 1)
        sage: verify_relation(r, [1, 2, 5, 14, 42, 132, 429], catalan)
        RelationCheck(verified=True, compared=7, reason='')
        sage: verify_relation(r, [1, 2, 5, 14, 42, 132, 430], catalan).reason
        'a(6) = 430, the relation gives 429'
        sage: r = Relation('partial sums', 'neighbour', 0, 3)
        sage: verify_relation(r, [3, 6, 12, 27, 69, 195, 591], catalan).verified
        True
    """
    if relation.applied_to not in ("neighbour", "query"):
        raise ValueError(f"unknown side {relation.applied_to!r}: expected "
                         "'neighbour' or 'query'")
    factor = relation.factor
    query = [int(t) for t in query]
    neighbour_terms = [int(t) for t in neighbour_terms]
    if factor == 0:
        return RelationCheck(False, 0, "a zero factor relates nothing")
    left, right = _sides(relation, query, neighbour_terms)
    name = "a" if relation.applied_to == "neighbour" else (
        _index_text(relation.transform, "a", 0)[:-3])
    lead = max(0, -relation.shift)
    if lead > MAX_LEAD:
        return RelationCheck(False, 0, f"{lead} leading terms left out, at most "
                             f"{MAX_LEAD} may be")
    compared, nonzero = 0, False
    for n in range(lead, len(left)):
        m = n + relation.shift
        if m >= len(right):
            break
        expected = factor * right[m]
        if expected != left[n]:
            return RelationCheck(False, compared + 1,
                                 f"{name}({n}) = {left[n]}, the relation gives "
                                 f"{expected}")
        compared += 1
        nonzero = nonzero or left[n] != 0
    if compared < min_overlap:
        return RelationCheck(False, compared, f"{compared} terms compared, at least "
                             f"{min_overlap} needed")
    if not nonzero:
        return RelationCheck(False, compared, "the compared terms are all zero")
    return RelationCheck(True, compared)


_LEADS = list(range(-1, -MAX_LEAD - 1, -1))


def _first_match(left, right, min_overlap, max_shift, unit=False):
    """
    The smallest shift up to ``max_shift`` (else the smallest negative
    one) and the factor with ``left(n)
    = factor * right(n + shift)`` on the overlap, or ``None``: the search
    behind :func:`find_relations`, in integer cross-multiplication. With
    ``unit``, the factor must be 1.
    """
    size, length = len(left), len(right)
    # Offsets that explain every term first, then those that leave out the
    # query's first terms. (Hot: a query tries some thousand pairs.)
    last = length - min_overlap
    shifts = list(range((max_shift if max_shift < last else last) + 1))
    for shift in shifts + _LEADS:
        start = -shift if shift < 0 else 0
        stop = size if size < length - shift else length - shift
        if stop - start < min_overlap:
            continue
        # The factor is p / q, from the first nonzero term on the right.
        n = start
        while n < stop and not right[n + shift]:
            n += 1
        if n == stop or not left[n]:
            continue
        p, q = left[n], right[n + shift]
        if unit and p != q:
            continue
        for m in range(start, stop):
            if left[m] * q != right[m + shift] * p:
                break
        else:
            return shift, Fraction(p, q)
    return None


def _query_sides(query):
    """The transforms of the query, for the relations applied to it."""
    return {name: transform(name, query) for name in TRANSFORMS if name != "terms"}


def find_relations(query, neighbour_terms, min_overlap=MIN_OVERLAP,
                   query_transforms=None):
    """
    The exact relations between ``query`` and ``neighbour_terms``, at
    most one per transform and side, simplest first; each one verified by
    :func:`verify_relation`. Same terms are searched at every offset the
    neighbour allows; the other relations at offsets up to
    :data:`MAX_SHIFT`.

    EXAMPLES::

        sage: from sage_neural.sequences.neighbours import find_relations
        sage: catalan = [1, 1, 2, 5, 14, 42, 132, 429, 1430, 4862, 16796]
        sage: [str(r) for r in find_relations([2, 4, 10, 28, 84, 264], catalan)]
        ['a(n) = 2*b(n+1)']
        sage: [str(r) for r in find_relations([1, 2, 5, 15, 51, 188, 731], catalan)]
        ['a(n) = binom(b)(n)']
        sage: find_relations([1, 2, 3, 4, 5, 6], catalan)
        []
    """
    query = [int(t) for t in query]
    neighbour = [int(t) for t in neighbour_terms]
    query_sides = query_transforms or _query_sides(query)
    # Beyond the query's length plus the largest shift, terms cannot matter.
    head = neighbour[:len(query) + MAX_SHIFT + 1]
    found = []
    for applied_to in ("neighbour", "query"):
        for name in TRANSFORMS:
            if applied_to == "query" and (name == "terms" or any(
                    r.transform == _INVERSE.get(name) for r in found)):
                # Already said the other way round.
                continue
            if name == "terms":
                left, right, most = query, neighbour, len(neighbour)
            elif applied_to == "neighbour":
                source = neighbour if "bisection" in name else head
                left, right, most = query, transform(name, source), MAX_SHIFT
            else:
                left, right, most = query_sides[name], neighbour, MAX_SHIFT
            if len(left) < min_overlap:
                continue
            # The same terms, if they occur at some offset, before a multiple
            # of them at a smaller one.
            match = name == "terms" and _first_match(left, right, min_overlap, most,
                                                     unit=True)
            match = match or _first_match(left, right, min_overlap, most)
            if match is None:
                continue
            relation = Relation(name, applied_to, match[0], Fraction(match[1]))
            # The search and the check are separate: only what the check
            # confirms is reported.
            if verify_relation(relation, query, neighbour, min_overlap).verified:
                found.append(relation)
            else:
                logger.warning("relation %s found but not verified", relation)
    return sorted(found, key=Relation.sort_key)


# ---------------------------------------------------------------------------
# Neighbours


def parse_terms(seq):
    """
    The terms of ``seq`` as Python integers: a string of integers separated
    by commas or spaces, or an iterable of integers (Python, Sage or numpy).

    EXAMPLES::

        sage: from sage_neural.sequences.neighbours import parse_terms
        sage: parse_terms('1, 2, 5,14 42'), parse_terms([1, 2, 5])
        ([1, 2, 5, 14, 42], [1, 2, 5])
        sage: parse_terms('1, 2, x')
        Traceback (most recent call last):
        ...
        ValueError: expected integers separated by commas or spaces, got 'x'
        sage: parse_terms([1, 1/2])
        Traceback (most recent call last):
        ...
        ValueError: expected integers, got 1/2
    """
    if isinstance(seq, str):
        terms = []
        for field in seq.replace(",", " ").split():
            try:
                terms.append(int(field))
            except ValueError:
                raise ValueError("expected integers separated by commas or spaces, "
                                 f"got {field!r}") from None
        return terms
    terms = []
    for x in seq:
        try:
            value = int(x)
            exact = value == x and not isinstance(x, (bool, float))
        except (TypeError, ValueError, ArithmeticError):
            exact = False
        if not exact:
            raise ValueError(f"expected integers, got {x}")
        terms.append(value)
    return terms


@dataclass
class Neighbour:
    """
    One OEIS sequence near the query: its ``anumber``, ``name``, cosine
    ``similarity`` of the encodings, the verified ``relations`` to the
    query (simplest first; empty when none was found) and its ``terms``.
    """

    anumber: str
    name: str
    similarity: float
    relations: list
    terms: list

    def url(self):
        return f"https://oeis.org/{self.anumber}"


class Neighbours:
    """
    The answer of :func:`oeis_neighbours`: a list of :class:`Neighbour`,
    nearest first, with the ``query``, the search time ``seconds`` and the
    ``credit`` owed to the OEIS. Prints as a table; in a notebook it shows
    as a plot of the query against the neighbours (see :meth:`plot`).
    """

    def __init__(self, query, neighbours, seconds):
        self.query = query
        self.neighbours = neighbours
        self.seconds = seconds
        self.credit = CREDIT

    def __len__(self):
        return len(self.neighbours)

    def __iter__(self):
        return iter(self.neighbours)

    def __getitem__(self, i):
        return self.neighbours[i]

    def __str__(self):
        head = ", ".join(map(str, self.query[:12]))
        lines = [f"OEIS neighbours of {head}{', ...' if len(self.query) > 12 else ''}"
                 " (a = the query, b = the neighbour, n from 0 at the first term)"]
        for rank, nb in enumerate(self.neighbours, 1):
            name = nb.name if len(nb.name) <= 70 else nb.name[:67] + "..."
            lines.append(f"{rank:3d}. {nb.anumber}  {nb.similarity:.3f}  {name}")
            for relation in nb.relations:
                lines.append(f"       verified: {relation}")
        lines.append(f"Data: {self.credit}")
        return "\n".join(lines)

    def __repr__(self):
        return str(self)

    def plot(self, path=None, count=None):
        """
        A matplotlib Figure of the query against the neighbours; saved as
        PNG to ``path`` when given. See
        :func:`sage_neural.sequences.plot.plot_neighbours`.
        """
        from .plot import plot_neighbours
        return plot_neighbours(self, path=path, count=count)

    def _repr_png_(self):
        from .plot import png_bytes
        try:
            return png_bytes(self)
        except ImportError:
            return None


_open_indexes = {}


def _index(index):
    """An open :class:`~.index.OEISIndex` for ``index`` (a path, None or one)."""
    from .index import OEISIndex, default_index_dir

    if isinstance(index, OEISIndex):
        return index
    key = str(index if index is not None else default_index_dir())
    if key not in _open_indexes:
        _open_indexes[key] = OEISIndex(key)
    return _open_indexes[key]


#: Fewest terms a query may have.
MIN_TERMS = 3

#: Candidates fetched for each variant of the query (see query_variants).
VARIANT_CANDIDATES = 8
#: Nearest vectors, for the query and each variant, in which the terms are
#: looked for as they stand.
WIDE_CANDIDATES = 128
#: How many times further the query itself is looked for.
QUERY_WIDTH = 4


def query_variants(query):
    """
    The query and the sequences it would be a simple transform of: its
    partial sums, differences, inverse binomial and binomial transforms,
    the query divided by the gcd of its terms, and its negation. Each is
    searched in the index as well, so that a neighbour of which the query
    is a transform is found even where the encoder alone misses it.

    EXAMPLES::

        sage: from sage_neural.sequences.neighbours import query_variants
        sage: query_variants([2, 4, 8, 14])
        [[2, 4, 8, 14], [2, 6, 14, 28], [2, 4, 6], [2, 2, 2, 0],
         [2, 6, 18, 52], [1, 2, 4, 7], [-2, -4, -8, -14]]
    """
    import math

    variants = [list(query)]
    for name in ("partial sums", "differences", "inverse binomial transform",
                 "binomial transform"):
        variants.append(transform(name, query))
    divisor = math.gcd(*query)
    if divisor > 1:
        variants.append([t // divisor for t in query])
    variants.append([-t for t in query])
    return [v for i, v in enumerate(variants)
            if len(v) >= MIN_TERMS and any(v) and v not in variants[:i]]


def oeis_neighbours(seq, k=10, index=None, candidates=None):
    """
    The ``k`` sequences of the OEIS nearest to ``seq``, each with any exact
    relation between the two.

    INPUT:

    - ``seq`` -- the terms: a list of integers or a string such as
      ``'1,2,5,14,42,132'``; the sequence need not be in the OEIS
    - ``k`` -- (default: 10) how many neighbours
    - ``index`` -- (default: the index in the per-user cache folder, or
      ``$SAGE_NEURAL_OEIS_INDEX``) an index folder or an open
      :class:`~sage_neural.sequences.index.OEISIndex`
    - ``candidates`` -- (default: ``max(2k, 30)``) how many nearest
      vectors of the query are fetched and searched for relations; each
      variant of the query (:func:`query_variants`) adds up to
      :data:`VARIANT_CANDIDATES` more, and any of the
      :data:`WIDE_CANDIDATES` nearest that contain the query's (or a
      variant's) terms as they stand

    OUTPUT: a :class:`Neighbours` list. Neighbours with the same terms at
    an offset come first, in A-number order (those that cover every term
    of the query before the others); then those with another
    verified relation, then the rest, by similarity (the cosine similarity of
    the encodings, with the query or the variant of it that found the
    neighbour). Every relation shown was checked term by term by
    :func:`verify_relation`.

    The index is built once with ``python -m sage_neural oeis build``; the
    data are from the OEIS (The OEIS Foundation, https://oeis.org, CC BY-SA
    4.0).

    EXAMPLES::

        sage: from sage_neural.sequences.neighbours import oeis_neighbours
        sage: terms = [1, 2, 5, 14, 42, 132, 429]
        sage: found = oeis_neighbours(terms, k=3)  # optional - oeis_index
        sage: found[0].anumber, str(found[0].relations[0])  # optional - oeis_index
        ('A000108', 'a(n) = b(n+1)')
        sage: oeis_neighbours('1, 2')
        Traceback (most recent call last):
        ...
        ValueError: expected at least 3 terms, got 2
    """
    began = time.perf_counter()
    query = parse_terms(seq)
    if len(query) < MIN_TERMS:
        raise ValueError(f"expected at least {MIN_TERMS} terms, got {len(query)}")
    if k < 1:
        raise ValueError(f"expected k >= 1, got {k}")
    index = _index(index)
    count = min(candidates or max(2 * k, 30), len(index))

    # The query and the sequences it may be a transform of, searched in
    # one batch; the variants bring fewer candidates each.
    variants = query_variants(query)
    counts = [count] + [min(VARIANT_CANDIDATES, count)] * (len(variants) - 1)
    # The query itself is looked for further than its variants: a window
    # of a sequence lies farther from its first terms than a transform.
    wide = min(max(WIDE_CANDIDATES, count), len(index))
    rows = [index.search(variants[:1], min(QUERY_WIDTH * wide, len(index)))]
    if len(variants) > 1:
        rows.append(index.search(variants[1:], wide))
    similarities = [row for s, _ in rows for row in s]
    entries = [row for _, e in rows for row in e]
    best = {}
    for row, (variant, limit) in enumerate(zip(variants, counts)):
        # Past the first few, a candidate is kept only when the variant's
        # terms occur in it as they stand (a cheap test on the text).
        run = "," + ",".join(map(str, variant)) + ","
        for rank, (similarity, entry) in enumerate(zip(similarities[row],
                                                       entries[row])):
            if entry < 0 or similarity <= best.get(entry, -2.0):
                continue
            if rank < limit or run in "," + index.terms_text(entry) + ",":
                best[int(entry)] = float(similarity)

    found = []
    sides = _query_sides(query)
    for entry, similarity in best.items():
        terms = index.terms(entry)
        relations = find_relations(query, terms, query_transforms=sides)
        found.append(Neighbour(index.anumber(entry), index.name(entry),
                               similarity, relations, terms))

    def rank(nb):
        # Sequences with the query's very terms are told apart by nothing
        # the terms show: the older A-number first, as the OEIS's own
        # search lists them.
        same = [r for r in nb.relations if r.transform == "terms" and r.factor == 1]
        if same:
            # Those that hold on every term of the query before the others.
            partial = all(r.shift < 0 or r.shift + len(query) > len(nb.terms)
                          for r in same)
            return (0, partial, nb.anumber)
        return (1 if nb.relations else 2, -nb.similarity)

    found.sort(key=rank)
    return Neighbours(query, found[:k], time.perf_counter() - began)
