"""
The token language of integer sequences and of the recurrences that
describe them, in the manner of d'Ascoli et al., "Deep Symbolic Regression
for Recurrent Sequences" (2022).

A model reads the first terms of a sequence and writes a formula:

- a term is a sign token ``INT+`` or ``INT-`` followed by its digits in base
  :data:`BASE`, most significant first (the digit ``d`` is the token
  ``str(d)``); the terms simply follow one another;
- a formula gives ``a(n)`` in prefix notation from the index ``n`` (counted
  from 0 at the first given term) and the previous terms ``u1`` = a(n-1),
  ..., ``u6`` = a(n-6), with integer constants written like terms and the
  integer operators ``add sub mul idiv mod pow`` (``idiv`` rounds down,
  ``mod`` has the sign of the divisor, as in Python). A formula that uses
  ``ud`` and no later one is a recurrence of order ``d``; its first ``d``
  terms are taken from the data. Order 0 is a closed form.

This language has its own version and fingerprint, kept with every sequence
model and dataset, just as the expression language of
:mod:`sage_neural.tokens.vocabulary` is kept with the integration model.
"""

import functools
import hashlib

from .vocabulary import BINARY, DIGIT, LEAF, SIGN, SPECIAL

#: Bump whenever a token is added, removed, renamed or reordered.
SEQUENCE_VOCABULARY_VERSION = 1

#: Digits of terms and constants are written in this base.
BASE = 1000

#: The longest recurrence the language can write.
MAX_ORDER = 6

OPERATORS = ("add", "sub", "mul", "idiv", "mod", "pow")
PREVIOUS = tuple(f"u{k}" for k in range(1, MAX_ORDER + 1))


def _build():
    tokens, kinds = [], []

    def extend(names, kind):
        tokens.extend(names)
        kinds.extend([kind] * len(names))

    extend(("<pad>", "<bos>", "<eos>"), SPECIAL)
    extend(OPERATORS, BINARY)
    extend(("n",) + PREVIOUS, LEAF)
    extend(("INT+", "INT-"), SIGN)
    extend(tuple(str(d) for d in range(BASE)), DIGIT)
    return tuple(tokens), tuple(kinds)


#: All tokens, in id order, and the kind of each.
SEQUENCE_TOKENS, SEQUENCE_KINDS = _build()
SEQUENCE_TOKEN_IDS = {token: i for i, token in enumerate(SEQUENCE_TOKENS)}

assert len(SEQUENCE_TOKEN_IDS) == len(SEQUENCE_TOKENS), "duplicate token"


def sequence_fingerprint():
    """A short hash of the sequence language, stored with models and datasets."""
    text = "\n".join(f"{t}\t{k}" for t, k in zip(SEQUENCE_TOKENS, SEQUENCE_KINDS))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"seq{SEQUENCE_VOCABULARY_VERSION}-{digest}"


@functools.lru_cache(maxsize=None)
def sequence_codec(native=None):
    """
    The codec of the sequence language: compiled when built (or when
    ``native=True``), the pure-Python twin otherwise.

    EXAMPLES::

        sage: from sage_neural.tokens.sequences import BASE, sequence_codec
        sage: c = sequence_codec()
        sage: ids = c.encode_integers([1, -2001, 0], BASE)
        sage: c.decode(ids)
        ['INT+', '1', 'INT-', '2', '1', 'INT+', '0']
        sage: c.decode_integers(ids, BASE)
        [1, -2001, 0]
    """
    from . import native_available
    if native is None:
        native = native_available()
    if native:
        from .._native import Codec
    else:
        from .twin import Codec
    return Codec(SEQUENCE_TOKENS, SEQUENCE_KINDS, 0, 1, 2,
                 negative_sign_ids=(SEQUENCE_TOKEN_IDS["INT-"],))


def term_tokens(terms):
    """The tokens of a list of integers, as the model reads them."""
    c = sequence_codec()
    return c.decode(c.encode_integers(terms, BASE))
