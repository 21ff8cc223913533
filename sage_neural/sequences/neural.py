"""
Recurrences proposed by the sequence model.

The model (trained on synthetic recurrences, see ``models/sequences.md``)
reads the first terms of a sequence and writes formulas
``a(n) = f(n, a(n-1), ..., a(n-d))`` by beam search. Each becomes a
:class:`ModelRecurrence` whose first ``d`` terms are taken from the data;
like every other candidate, it is only believed after
:func:`~sage_neural.sequences.formula.verify_formula`.
"""

import functools
import logging

from ..bridge.recurrence import parse_recurrence
from ..tokens.sequences import term_tokens
from .formula import SequenceFormula, check_size

logger = logging.getLogger(__name__)

#: The model reads at most this many terms (it was trained on 12 to 20).
MAX_INPUT_TERMS = 20


def _constants(node):
    if isinstance(node, int):
        return 1
    if isinstance(node, tuple) and node[0] != "u":
        return _constants(node[1]) + _constants(node[2])
    return 0


class ModelRecurrence(SequenceFormula):
    """
    A recurrence written by the model, started with the first ``order``
    given terms.

    Its free parameters are those initial terms and the integer constants
    of the formula: the constants were chosen after seeing the data, so
    they count against the evidence as fitted numbers would.

    EXAMPLES::

        sage: from sage_neural.bridge.recurrence import parse_recurrence
        sage: from sage_neural.sequences.neural import ModelRecurrence
        sage: r = ModelRecurrence(parse_recurrence(['add', 'u1', 'u2']), [1, 1])
        sage: r.terms(8), r.free_parameters
        ([1, 1, 2, 3, 5, 8, 13, 21], 2)
        sage: print(r)
        a(n) = a(n-1) + a(n-2) for n >= 2, a(0) = 1, a(1) = 1
    """

    kind = "model recurrence"

    def __init__(self, recurrence, initial, score=None, rank=None):
        self.recurrence = recurrence
        self.initial = [int(t) for t in initial[:recurrence.order]]
        if len(self.initial) < recurrence.order:
            raise ValueError(f"a recurrence of order {recurrence.order} needs "
                             f"{recurrence.order} initial terms")
        self.free_parameters = recurrence.order + _constants(recurrence.tree)
        self.score, self.rank = score, rank

    def terms(self, count):
        order = self.recurrence.order
        terms = self.initial[:count]
        for n in range(order, count):
            previous = terms[:-order - 1:-1] if order else ()
            terms.append(check_size(self.recurrence.value(n, previous)))
        return terms

    def height(self):
        return self.recurrence.size

    def __str__(self):
        order = self.recurrence.order
        if not order:
            return str(self.recurrence)
        start = ", ".join(f"a({i}) = {t}" for i, t in enumerate(self.initial))
        return f"{self.recurrence} for n >= {order}, {start}"


@functools.lru_cache(maxsize=2)
def _session(model, device):
    from ..runtime.model import OnnxSeq2Seq
    session = OnnxSeq2Seq(model, device=device)
    if session.language.name != "sequences":
        from ..runtime.model import ModelFileError
        raise ModelFileError(f"model {model!r} reads {session.language.name}, "
                             "not integer sequences")
    return session


def model_input(terms, longest):
    """The tokens of as many first terms (up to 20) as fit in ``longest`` tokens."""
    for count in range(min(len(terms), MAX_INPUT_TERMS), 0, -1):
        tokens = term_tokens(terms[:count])
        if len(tokens) <= longest:
            return tokens, count
    return [], 0


def candidates(terms, beam_size=10, model="sequences", device="auto"):
    """
    The model's formulas for ``terms``, best score first, as
    :class:`ModelRecurrence` objects (none of them checked yet).

    Raises :class:`~sage_neural.runtime.model.ModelFileError` when the model
    files are missing or corrupt.
    """
    from ..runtime.beam import beam_search

    terms = [int(t) for t in terms]
    session = _session(str(model), device)
    longest = session.metadata.get("max_source_len", session.config["max_len"]) - 1
    tokens, used = model_input(terms, longest)
    if used < 8:
        logger.info("the terms are too large for the model: only %d fit", used)
        return []
    answer_len = session.metadata.get("max_target_len", session.config["max_len"]) - 2
    found = []
    for rank, candidate in enumerate(beam_search(session, [tokens], beam_size,
                                                 max_len=answer_len)[0]):
        try:
            recurrence = parse_recurrence(candidate.tokens)
            found.append(ModelRecurrence(recurrence, terms, candidate.score, rank))
        except ValueError as error:
            logger.debug("unusable candidate %s: %s", candidate.tokens, error)
    return found
