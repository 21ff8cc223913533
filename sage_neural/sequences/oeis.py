"""
Reading the OEIS's own dump files, and the held-out split.

The OEIS publishes two compressed text files:

- ``stripped.gz``, one sequence a line: ``A000045 ,0,1,1,2,3,5,8,...,``
- ``names.gz``, one name a line: ``A000045 Fibonacci numbers: ...``

Lines starting with ``#`` are comments. The readers stream the files (they
are never held in memory whole), skip lines they cannot parse and count
them in ``skipped``.

The data are from The On-Line Encyclopedia of Integer Sequences (OEIS),
https://oeis.org, under the CC BY-SA 4.0 licence; :data:`CREDIT` is the
line to show with anything derived from them.

The held-out split
------------------

A sequence belongs to the test split when the SHA-256 digest of its
A-number (the ASCII text, such as ``A000045``), read as a big-endian
integer, is 0 to 9 modulo 100: about 10% of the sequences. The rule uses
nothing but the A-number, so it does not depend on the order of the file,
on its version or on a random seed, and a sequence never moves between
splits. Whatever is trained on the OEIS must read it with
``split='train'``; evaluations read ``split='test'``.
"""

import gzip
import hashlib
import logging
import re
from dataclasses import dataclass

logger = logging.getLogger(__name__)

__all__ = ["CREDIT", "NamesReader", "OEISSequence", "StrippedReader", "read_names",
           "split_of"]

CREDIT = ("The On-Line Encyclopedia of Integer Sequences (OEIS), "
          "https://oeis.org (CC BY-SA 4.0)")

#: Percentage of the A-numbers held out as the test split.
TEST_PERCENT = 10

_A_NUMBER = re.compile(r"A\d{6,}\Z")
_INTEGER = re.compile(r"-?\d+\Z")


def split_of(anumber):
    """
    ``'test'`` or ``'train'``: the split of the sequence ``anumber``.

    EXAMPLES::

        sage: from sage_neural.sequences.oeis import split_of
        sage: split_of('A000045'), split_of('A000108')
        ('train', 'train')
        sage: sum(split_of('A%06d' % i) == 'test' for i in range(1, 10001))
        1017
        sage: split_of('Fibonacci')
        Traceback (most recent call last):
        ...
        ValueError: expected an A-number such as 'A000045', got 'Fibonacci'
    """
    if not isinstance(anumber, str) or not _A_NUMBER.match(anumber):
        raise ValueError(f"expected an A-number such as 'A000045', got {anumber!r}")
    digest = hashlib.sha256(anumber.encode("ascii")).digest()
    return "test" if int.from_bytes(digest, "big") % 100 < TEST_PERCENT else "train"


def _open_text(path):
    """A text stream of ``path``, decompressed when it is gzip."""
    with open(path, "rb") as raw:
        magic = raw.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


@dataclass(frozen=True)
class OEISSequence:
    """One line of ``stripped.gz``: the A-number and the terms (Python ints)."""

    anumber: str
    terms: tuple


class _Reader:
    """Shared streaming, comment skipping and counting."""

    def __init__(self, path, split=None):
        if split not in (None, "train", "test"):
            raise ValueError(f"unknown split {split!r}: expected 'train', 'test' "
                             "or None")
        self.path = path
        self.split = split
        self.read = 0
        self.skipped = 0

    def _parse(self, line):
        """``(anumber, item)`` for a good line, ``None`` for a bad one."""
        raise NotImplementedError

    def __iter__(self):
        self.read = self.skipped = 0
        with _open_text(self.path) as stream:
            try:
                for number, line in enumerate(stream, 1):
                    if not line.strip() or line.startswith("#"):
                        continue
                    parsed = self._parse(line)
                    if parsed is None:
                        self.skipped += 1
                        logger.debug("%s, line %d: cannot parse %.60r", self.path,
                                     number, line)
                        continue
                    self.read += 1
                    anumber, item = parsed
                    if self.split is None or split_of(anumber) == self.split:
                        yield item
            except (EOFError, gzip.BadGzipFile) as error:
                # A truncated download: keep what was read.
                logger.warning("%s ends early (%s): %d lines read", self.path, error,
                               self.read)
        if self.skipped:
            logger.info("%s: %d lines skipped", self.path, self.skipped)


class StrippedReader(_Reader):
    """
    The sequences of a ``stripped.gz`` file (gzip or plain text), as
    :class:`OEISSequence` objects, in the file's order.

    INPUT:

    - ``path`` -- the file
    - ``split`` -- (default: all) ``'train'`` or ``'test'``; see
      :func:`split_of`
    - ``min_terms`` -- (default: 1) skip shorter sequences (not counted as
      bad lines)

    After a pass, ``read`` counts the sequences parsed and ``skipped`` the
    lines that could not be parsed.

    EXAMPLES::

        sage: import gzip, os, tempfile
        sage: from sage_neural.sequences.oeis import StrippedReader
        sage: path = os.path.join(tempfile.mkdtemp(), 'stripped.gz')
        sage: with gzip.open(path, 'wt') as f:
        ....:     _ = f.write('# comment\nA000045 ,0,1,1,2,3,5,8,\nA000001 ,1,x,\n'
        ....:                 'junk\nA000290 ,0,1,4,9,\n')
        sage: reader = StrippedReader(path)
        sage: [s.anumber for s in reader], reader.read, reader.skipped
        (['A000045', 'A000290'], 2, 2)
        sage: next(iter(reader)).terms
        (0, 1, 1, 2, 3, 5, 8)
    """

    def __init__(self, path, split=None, min_terms=1):
        super().__init__(path, split)
        self.min_terms = min_terms

    def _parse(self, line):
        head, _, rest = line.strip().partition(" ")
        if not _A_NUMBER.match(head):
            return None
        fields = [f.strip() for f in rest.strip().strip(",").split(",")]
        if not fields or not all(_INTEGER.match(f) for f in fields):
            return None
        return head, OEISSequence(head, tuple(int(f) for f in fields))

    def __iter__(self):
        for sequence in super().__iter__():
            if len(sequence.terms) >= self.min_terms:
                yield sequence


class NamesReader(_Reader):
    """
    The names of a ``names.gz`` file (gzip or plain text), as pairs
    ``(anumber, name)``; ``read`` and ``skipped`` as for
    :class:`StrippedReader`.

    EXAMPLES::

        sage: import os, tempfile
        sage: from sage_neural.sequences.oeis import NamesReader
        sage: path = os.path.join(tempfile.mkdtemp(), 'names.txt')
        sage: with open(path, 'w') as f:
        ....:     _ = f.write('# comment\nA000045 Fibonacci numbers.\nA0001 short\n')
        sage: reader = NamesReader(path)
        sage: list(reader), reader.skipped
        ([('A000045', 'Fibonacci numbers.')], 1)
    """

    def _parse(self, line):
        head, _, name = line.strip().partition(" ")
        if not _A_NUMBER.match(head) or not name.strip():
            return None
        return head, (head, name.strip())


def read_names(path, split=None):
    """A dictionary from A-number to name, read from a ``names.gz`` file."""
    return dict(NamesReader(path, split))
