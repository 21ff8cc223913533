"""
Pure-Python twin of the native token codec (``native/_native.pyx``).

This module is the readable specification: the compiled module implements
the same class with the same behaviour, and the property tests check that
both agree on random inputs. It is also the fallback when the extension was
not built.

A :class:`Codec` knows a vocabulary only as a list of token strings and the
kind of each (see :mod:`sage_neural.tokens.vocabulary`). It does three
things:

- encode token lists to ids and decode ids to token lists, one sequence or a
  padded batch at a time;
- validate prefix sequences: say which next tokens keep a partial sequence
  well formed (so that a decoder can mask the others), and whether a
  sequence is complete.

The validator's state after a prefix is a pair ``(need, digits)``:

- ``need`` is the number of subtrees still to be written. It starts at 1;
  a token of arity ``k`` fills one slot and opens ``k``.
  After the end token ``need`` is -1 and nothing may follow.
- ``digits`` says where we are inside an integer: ``0`` outside one, ``1``
  right after a positive sign token, ``2`` right after a negative one (a
  digit must follow; ``0`` only after the positive sign, since negative zero
  is not canonical), ``3`` after a non-zero leading digit (more digits may
  follow). A leading ``0`` ends the integer.
"""

import numpy as np

SPECIAL, LEAF, UNARY, BINARY, SIGN, DIGIT = range(6)

_OUTSIDE, _AFTER_PLUS, _AFTER_MINUS, _IN_DIGITS = 0, 1, 2, 3


class Codec:
    """
    Token <-> id conversion and prefix validation for one vocabulary.

    ``tokens[i]`` is the token with id ``i`` and ``kinds[i]`` its kind (the
    kinds of :mod:`sage_neural.tokens.vocabulary`). The sign tokens listed
    in ``negative_sign_ids`` open negative integers; the token ``"0"`` is the
    zero digit.
    """

    def __init__(self, tokens, kinds, pad_id=0, bos_id=1, eos_id=2,
                 negative_sign_ids=()):
        if len(tokens) != len(kinds):
            raise ValueError(
                f"expected one kind per token, got {len(kinds)} kinds for "
                f"{len(tokens)} tokens")
        self.tokens = list(tokens)
        self.kinds = list(kinds)
        self.index = {t: i for i, t in enumerate(self.tokens)}
        self.pad_id, self.bos_id, self.eos_id = pad_id, bos_id, eos_id
        self.negative_sign_ids = frozenset(negative_sign_ids)
        self.zero_id = self.index.get("0", -1)

    # ------------------------------------------------------------------
    # Encoding and decoding
    # ------------------------------------------------------------------

    def encode(self, tokens):
        """Ids of ``tokens``; a ``ValueError`` names an unknown token."""
        ids = []
        for token in tokens:
            i = self.index.get(token)
            if i is None:
                raise ValueError(f"unknown token {token!r}: not in the vocabulary")
            ids.append(i)
        return ids

    def decode(self, ids):
        """Tokens of ``ids``; a ``ValueError`` names an id out of range."""
        size = len(self.tokens)
        out = []
        for i in ids:
            i = int(i)
            if not 0 <= i < size:
                raise ValueError(f"token id {i} out of range: expected 0 <= id < {size}")
            out.append(self.tokens[i])
        return out

    def encode_batch(self, sequences, max_len=None, bos=False, eos=True):
        """
        Encode a batch of token lists into one padded array.

        Returns ``(ids, lengths)``: ``ids`` has shape ``(B, T)`` and dtype
        int64, padded with the padding id; ``lengths[b]`` counts the tokens
        of row ``b`` including the optional start and end tokens. With
        ``max_len`` a longer sequence raises ``ValueError``; otherwise ``T``
        is the longest row.
        """
        rows = []
        for tokens in sequences:
            row = self.encode(tokens)
            if bos:
                row.insert(0, self.bos_id)
            if eos:
                row.append(self.eos_id)
            rows.append(row)
        lengths = np.array([len(r) for r in rows], dtype=np.int64)
        width = int(lengths.max()) if len(rows) else 0
        if max_len is not None:
            if width > max_len:
                raise ValueError(
                    f"sequence of {width} ids is longer than max_len={max_len}")
            width = max_len
        ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
        for b, row in enumerate(rows):
            ids[b, :len(row)] = row
        return ids, lengths

    def decode_batch(self, ids):
        """
        Decode a ``(B, T)`` array of ids into ``B`` token lists.

        A leading start token is dropped; each row ends at its first end or
        padding token.
        """
        out = []
        for row in np.asarray(ids).tolist():
            tokens = []
            for j, i in enumerate(row):
                if j == 0 and i == self.bos_id:
                    continue
                if i == self.eos_id or i == self.pad_id:
                    break
                tokens.append(i)
            out.append(self.decode(tokens))
        return out

    # ------------------------------------------------------------------
    # Integers as a sign token and digits in a fixed base
    # ------------------------------------------------------------------

    def _integer_ids(self, base):
        """The positive and negative sign ids and the id of each digit."""
        positive = [i for i, k in enumerate(self.kinds)
                    if k == SIGN and i not in self.negative_sign_ids]
        if not positive or not self.negative_sign_ids:
            raise ValueError("the vocabulary has no positive and negative sign tokens")
        digit_ids = [self.index.get(str(d)) for d in range(base)]
        if base < 2 or None in digit_ids:
            raise ValueError(f"the vocabulary has no digit tokens for base {base}")
        return positive[0], min(self.negative_sign_ids), digit_ids

    def encode_integers(self, values, base):
        """
        Ids of the integers ``values``, one after the other: each is its sign
        token followed by its digits in ``base``, most significant first
        (digit ``d`` is the token ``str(d)``); zero is the positive sign and
        the digit ``0``.
        """
        plus, minus, digit_ids = self._integer_ids(base)
        out = []
        for value in values:
            n = int(value)
            out.append(minus if n < 0 else plus)
            n = abs(n)
            digits = []
            while True:
                n, d = divmod(n, base)
                digits.append(digit_ids[d])
                if n == 0:
                    break
            out.extend(reversed(digits))
        return out

    def decode_integers(self, ids, base):
        """
        The integers written by ``ids`` with :meth:`encode_integers`; a
        ``ValueError`` names an id that is neither a sign nor a digit, or a
        sign without digits.
        """
        plus, minus, digit_ids = self._integer_ids(base)
        value_of = {i: d for d, i in enumerate(digit_ids)}
        values, sign, n = [], 0, 0
        for i in ids:
            i = int(i)
            if i == plus or i == minus:
                if sign and n is None:
                    raise ValueError("sign token without digits")
                if sign:
                    values.append(sign * n)
                sign, n = (1 if i == plus else -1), None
            elif i in value_of and sign:
                n = value_of[i] if n is None else n * base + value_of[i]
            else:
                raise ValueError(f"token id {i} is not part of an integer")
        if sign:
            if n is None:
                raise ValueError("sign token without digits")
            values.append(sign * n)
        return values

    # ------------------------------------------------------------------
    # Prefix validation
    # ------------------------------------------------------------------

    def state(self, ids):
        """
        The validator state ``(need, digits)`` after the prefix ``ids``.

        Raises ``ValueError`` if ``ids`` is not the prefix of a well-formed
        expression.
        """
        need, digits = 1, _OUTSIDE
        for position, i in enumerate(ids):
            i = int(i)
            if not self._allowed(need, digits, i):
                raise ValueError(
                    f"token id {i} at position {position} cannot continue this prefix")
            need, digits = self._advance(need, digits, i)
        return need, digits

    def is_complete(self, ids):
        """
        Whether ``ids`` is a whole well-formed expression, with or without
        a final end token.
        """
        try:
            need, digits = self.state(ids)
        except ValueError:
            return False
        if need < 0:
            return True
        return need == 0 and digits not in (_AFTER_PLUS, _AFTER_MINUS)

    def allowed_next(self, ids, max_len=None):
        """
        Boolean mask over the vocabulary: the tokens that may follow the
        prefix ``ids`` (the end token once it is complete).

        With ``max_len``, tokens after which the expression could no longer
        be completed within ``max_len`` tokens are excluded as well.
        """
        need, digits = self.state(ids)
        mask = np.zeros(len(self.tokens), dtype=bool)
        for i in range(len(self.tokens)):
            if not self._allowed(need, digits, i):
                continue
            if max_len is not None and i != self.eos_id:
                after_need, after_digits = self._advance(need, digits, i)
                opened = after_digits in (_AFTER_PLUS, _AFTER_MINUS)
                shortest = len(ids) + 1 + after_need + opened
                if shortest > max_len:
                    continue
            mask[i] = True
        return mask

    def allowed_next_batch(self, ids, lengths, max_len=None):
        """:meth:`allowed_next` for each row ``ids[b, :lengths[b]]``: ``(B, V)``."""
        ids = np.asarray(ids)
        return np.stack(
            [self.allowed_next(ids[b, :int(n)], max_len)
             for b, n in enumerate(lengths)]
        ) if len(ids) else np.zeros((0, len(self.tokens)), dtype=bool)

    def _allowed(self, need, digits, i):
        if not 0 <= i < len(self.tokens):
            return False
        kind = self.kinds[i]
        if need < 0:
            return False
        if digits == _AFTER_PLUS:
            return kind == DIGIT
        if digits == _AFTER_MINUS:
            return kind == DIGIT and i != self.zero_id
        if kind == DIGIT:
            return digits == _IN_DIGITS
        if i == self.eos_id:
            return need == 0
        if kind == SPECIAL:
            return False
        return need > 0

    def _advance(self, need, digits, i):
        kind = self.kinds[i]
        if kind == DIGIT:
            if digits == _AFTER_PLUS and i == self.zero_id:
                return need, _OUTSIDE
            return need, _IN_DIGITS
        if kind == SIGN:
            opened = _AFTER_MINUS if i in self.negative_sign_ids else _AFTER_PLUS
            return need - 1, opened
        if kind == SPECIAL:
            # Only the end token is ever allowed; nothing may follow it.
            return -1, _OUTSIDE
        return need - 1 + {LEAF: 0, UNARY: 1, BINARY: 2}[kind], _OUTSIDE
