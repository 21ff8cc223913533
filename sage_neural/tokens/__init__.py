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
    "native_available",
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
