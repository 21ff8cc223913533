"""
The token language: vocabulary, and the codec that turns tokens into ids.

The codec is the compiled module ``sage_neural._native`` when it was built,
and its pure-Python twin :mod:`sage_neural.tokens.twin` otherwise.
"""

import functools
import logging

from .vocabulary import (
    BOS_ID, EOS_ID, KINDS, PAD_ID, TOKEN_IDS, TOKENS, VOCABULARY_VERSION,
    fingerprint, integer_tokens,
)

logger = logging.getLogger(__name__)

__all__ = [
    "BOS_ID", "EOS_ID", "KINDS", "PAD_ID", "TOKEN_IDS", "TOKENS",
    "VOCABULARY_VERSION", "codec", "fingerprint", "integer_tokens",
    "language", "native_available",
]


def native_available():
    """Whether the compiled codec ``sage_neural._native`` can be imported."""
    try:
        from .. import _native  # noqa: F401
    except ImportError:
        return False
    return True


@functools.lru_cache(maxsize=None)
def codec(native=None):
    """
    The codec for this package's vocabulary.

    ``native=True`` requires the compiled module, ``native=False`` takes
    the pure-Python twin, and the default takes the compiled module when it
    is there.
    """
    if native is None:
        native = native_available()
        if not native:
            logger.info("sage_neural._native is not built; using the "
                        "pure-Python codec")
    if native:
        try:
            from .._native import Codec
        except ImportError as error:
            raise ImportError(
                "the compiled codec sage_neural._native is not built: "
                "reinstall with 'pip install -e .' (it needs a C compiler)"
            ) from error
    else:
        from .twin import Codec
    return Codec(TOKENS, KINDS, PAD_ID, BOS_ID, EOS_ID,
                 negative_sign_ids=(TOKEN_IDS["INT-"],))


class Language:
    """
    One token language by name: ``"integration"`` (expressions, in
    :mod:`~sage_neural.tokens.vocabulary`) or ``"sequences"`` (integer
    sequences and recurrences, in :mod:`~sage_neural.tokens.sequences`).
    Datasets and models record the name and the fingerprint of theirs.
    """

    def __init__(self, name):
        if name == "integration":
            self.tokens, self._codec, self._fingerprint = TOKENS, codec, fingerprint
        elif name == "sequences":
            from . import sequences
            self.tokens = sequences.SEQUENCE_TOKENS
            self._codec = sequences.sequence_codec
            self._fingerprint = sequences.sequence_fingerprint
        else:
            raise ValueError(f"unknown token language {name!r}: expected "
                             "'integration' or 'sequences'")
        self.name = name

    def codec(self):
        return self._codec()

    def fingerprint(self):
        return self._fingerprint()


@functools.lru_cache(maxsize=None)
def language(name="integration"):
    """The :class:`Language` called ``name``."""
    return Language(name)
