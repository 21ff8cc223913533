# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""
Compiled token codec: the same class and behaviour as the pure-Python twin
in ``sage_neural/tokens/twin.py``, which is the readable specification.

Speed comes from three places: the per-token loops run in C; encoding first
looks a token string up by its address in a small open-addressing table
(token lists are mostly made of the vocabulary's own string objects) and
falls back to a dictionary lookup for equal strings at other addresses; and
batches are written straight into preallocated numpy buffers.
"""

from cpython.list cimport PyList_New, PyList_SET_ITEM
from cpython.ref cimport Py_INCREF, PyObject
from libc.stdint cimport int64_t, uintptr_t
from libc.stdlib cimport malloc, free

import numpy as np
cimport numpy as cnp

cnp.import_array()

cdef enum:
    SPECIAL = 0
    LEAF = 1
    UNARY = 2
    BINARY = 3
    SIGN = 4
    DIGIT = 5

cdef enum:
    OUTSIDE = 0
    AFTER_PLUS = 1
    AFTER_MINUS = 2
    IN_DIGITS = 3


cdef extern from "Python.h":
    PyObject* PySequence_Fast(object o, const char* message) except NULL
    Py_ssize_t PySequence_Fast_GET_SIZE(PyObject* o)
    PyObject** PySequence_Fast_ITEMS(PyObject* o)
    void Py_DECREF(PyObject* o)


cdef class Codec:
    """
    Token <-> id conversion and prefix validation for one vocabulary; see
    the twin's docstring for the specification.
    """

    cdef readonly list tokens
    cdef readonly list kinds
    cdef readonly dict index
    cdef readonly Py_ssize_t pad_id, bos_id, eos_id, zero_id
    cdef readonly frozenset negative_sign_ids
    cdef int* _kind
    cdef char* _negative
    cdef Py_ssize_t _size
    # Address-keyed lookup table: _keys[h] is a token object, _vals[h] its id.
    cdef PyObject** _keys
    cdef Py_ssize_t* _vals
    cdef uintptr_t _mask

    def __cinit__(self):
        self._kind = NULL
        self._negative = NULL
        self._keys = NULL
        self._vals = NULL

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
        self._size = len(self.tokens)

        self._kind = <int*> malloc(self._size * sizeof(int))
        self._negative = <char*> malloc(self._size * sizeof(char))
        cdef Py_ssize_t i
        for i in range(self._size):
            self._kind[i] = self.kinds[i]
            self._negative[i] = i in self.negative_sign_ids

        cdef uintptr_t capacity = 16
        while capacity < 4 * <uintptr_t> self._size:
            capacity *= 2
        self._mask = capacity - 1
        self._keys = <PyObject**> malloc(capacity * sizeof(PyObject*))
        self._vals = <Py_ssize_t*> malloc(capacity * sizeof(Py_ssize_t))
        for i in range(<Py_ssize_t> capacity):
            self._keys[i] = NULL
        cdef uintptr_t h
        for i in range(self._size):
            token = self.tokens[i]
            h = self._slot(<PyObject*> token)
            while self._keys[h] != NULL:
                h = (h + 1) & self._mask
            self._keys[h] = <PyObject*> token
            self._vals[h] = i

    def __dealloc__(self):
        free(self._kind)
        free(self._negative)
        free(self._keys)
        free(self._vals)

    def __reduce__(self):
        return (Codec, (self.tokens, self.kinds, self.pad_id, self.bos_id,
                        self.eos_id, tuple(self.negative_sign_ids)))

    # ------------------------------------------------------------------
    # Encoding and decoding
    # ------------------------------------------------------------------

    cdef inline uintptr_t _slot(self, PyObject* key) noexcept nogil:
        cdef uintptr_t golden = 2654435761u  # odd multiplier to spread addresses
        return (((<uintptr_t> key) >> 4) * golden) & self._mask

    cdef Py_ssize_t _lookup(self, PyObject* token) except -1:
        cdef uintptr_t h = self._slot(token)
        while self._keys[h] != NULL:
            if self._keys[h] == token:
                return self._vals[h]
            h = (h + 1) & self._mask
        found = self.index.get(<object> token)
        if found is None:
            raise ValueError(
                f"unknown token {<object> token!r}: not in the vocabulary")
        return found

    def encode(self, tokens):
        """Ids of ``tokens``; a ``ValueError`` names an unknown token."""
        cdef PyObject* seq = PySequence_Fast(tokens, "expected a sequence of tokens")
        cdef Py_ssize_t n = PySequence_Fast_GET_SIZE(seq), j
        cdef PyObject** items = PySequence_Fast_ITEMS(seq)
        cdef list out = PyList_New(n)
        # A Python object, not a C integer: the list steals the reference
        # taken here, which must belong to the very object stored.
        cdef object value
        try:
            for j in range(n):
                value = self._lookup(items[j])
                Py_INCREF(value)
                PyList_SET_ITEM(out, j, value)
        except BaseException:
            # Fill the rest so that the partly built list is valid to free.
            for j in range(j, n):
                Py_INCREF(None)
                PyList_SET_ITEM(out, j, None)
            raise
        finally:
            Py_DECREF(seq)
        return out

    def decode(self, ids):
        """Tokens of ``ids``; a ``ValueError`` names an id out of range."""
        cdef list out = []
        cdef Py_ssize_t i
        for value in ids:
            i = value
            if not 0 <= i < self._size:
                raise ValueError(
                    f"token id {i} out of range: expected 0 <= id < {self._size}")
            out.append(self.tokens[i])
        return out

    # ------------------------------------------------------------------
    # Integers as a sign token and digits in a fixed base
    # ------------------------------------------------------------------

    def _integer_ids(self, base):
        positive = [i for i, k in enumerate(self.kinds)
                    if k == SIGN and i not in self.negative_sign_ids]
        if not positive or not self.negative_sign_ids:
            raise ValueError("the vocabulary has no positive and negative sign tokens")
        digit_ids = [self.index.get(str(d)) for d in range(base)]
        if base < 2 or None in digit_ids:
            raise ValueError(f"the vocabulary has no digit tokens for base {base}")
        return positive[0], min(self.negative_sign_ids), digit_ids

    def encode_integers(self, values, base):
        """Ids of the integers ``values``: sign token and digits, as the twin."""
        plus, minus, digit_list = self._integer_ids(base)
        cdef cnp.ndarray[cnp.int64_t, ndim=1] digit_ids = np.asarray(digit_list, dtype=np.int64)
        cdef list out = []
        cdef int64_t small, b = base
        cdef int64_t buffer[64]
        cdef int count, j
        for value in values:
            n = int(value)
            out.append(minus if n < 0 else plus)
            n = abs(n)
            if n < 4611686018427387904:  # 2**62: the digits fit a C loop
                small = n
                count = 0
                while True:
                    buffer[count] = digit_ids[small % b]
                    count += 1
                    small //= b
                    if small == 0:
                        break
                for j in range(count - 1, -1, -1):
                    out.append(buffer[j])
            else:
                digits = []
                while n:
                    n, d = divmod(n, base)
                    digits.append(digit_list[d])
                out.extend(reversed(digits))
        return out

    def decode_integers(self, ids, base):
        """The integers written by ``ids``, as the twin."""
        plus, minus, digit_list = self._integer_ids(base)
        value_of = {i: d for d, i in enumerate(digit_list)}
        cdef list values = []
        cdef int sign = 0
        n = None
        for value in ids:
            i = int(value)
            if i == plus or i == minus:
                if sign and n is None:
                    raise ValueError("sign token without digits")
                if sign:
                    values.append(sign * n)
                sign = 1 if i == plus else -1
                n = None
            elif sign and i in value_of:
                n = value_of[i] if n is None else n * base + value_of[i]
            else:
                raise ValueError(f"token id {i} is not part of an integer")
        if sign:
            if n is None:
                raise ValueError("sign token without digits")
            values.append(sign * n)
        return values

    def encode_batch(self, sequences, max_len=None, bos=False, eos=True):
        """
        Encode a batch of token lists into one padded array; returns
        ``(ids, lengths)`` exactly as the twin does.
        """
        cdef PyObject* outer = PySequence_Fast(sequences, "expected a sequence of token lists")
        cdef Py_ssize_t batch = PySequence_Fast_GET_SIZE(outer)
        cdef PyObject** rows = PySequence_Fast_ITEMS(outer)
        cdef Py_ssize_t extra = (1 if bos else 0) + (1 if eos else 0)
        cdef Py_ssize_t b, j, n, width = 0, start
        cdef PyObject* row
        cdef PyObject** items
        cdef cnp.ndarray[int64_t, ndim=1] lengths
        cdef cnp.ndarray[int64_t, ndim=2] ids
        try:
            lengths = np.empty(batch, dtype=np.int64)
            for b in range(batch):
                n = len(<object> rows[b]) + extra
                lengths[b] = n
                if n > width:
                    width = n
            if max_len is not None:
                if width > max_len:
                    raise ValueError(
                        f"sequence of {width} ids is longer than max_len={max_len}")
                width = max_len
            ids = np.full((batch, width), self.pad_id, dtype=np.int64)
            for b in range(batch):
                row = PySequence_Fast(<object> rows[b], "expected a sequence of tokens")
                try:
                    n = PySequence_Fast_GET_SIZE(row)
                    items = PySequence_Fast_ITEMS(row)
                    start = 0
                    if bos:
                        ids[b, 0] = self.bos_id
                        start = 1
                    for j in range(n):
                        ids[b, start + j] = self._lookup(items[j])
                    if eos:
                        ids[b, start + n] = self.eos_id
                finally:
                    Py_DECREF(row)
        finally:
            Py_DECREF(outer)
        return ids, lengths

    def decode_batch(self, ids):
        """
        Decode a ``(B, T)`` array of ids into ``B`` token lists: a leading
        start token is dropped, each row ends at its first end or padding.
        """
        cdef int64_t[:, :] view = np.ascontiguousarray(ids, dtype=np.int64)
        cdef Py_ssize_t batch = view.shape[0], width = view.shape[1]
        cdef Py_ssize_t b, j, start, stop
        cdef int64_t i
        cdef list out = PyList_New(batch)
        cdef list row
        for b in range(batch):
            Py_INCREF(None)
            PyList_SET_ITEM(out, b, None)
        for b in range(batch):
            start = 1 if width > 0 and view[b, 0] == self.bos_id else 0
            stop = start
            while stop < width:
                i = view[b, stop]
                if i == self.eos_id or i == self.pad_id:
                    break
                if i < 0 or i >= self._size:
                    raise ValueError(
                        f"token id {i} out of range: expected 0 <= id < {self._size}")
                stop += 1
            row = PyList_New(stop - start)
            for j in range(start, stop):
                token = self.tokens[view[b, j]]
                Py_INCREF(token)
                PyList_SET_ITEM(row, j - start, token)
            out[b] = row
        return out

    # ------------------------------------------------------------------
    # Prefix validation
    # ------------------------------------------------------------------

    cdef bint _allowed(self, Py_ssize_t need, int digits, int64_t i) noexcept nogil:
        if i < 0 or i >= self._size or need < 0:
            return False
        cdef int kind = self._kind[i]
        if digits == AFTER_PLUS:
            return kind == DIGIT
        if digits == AFTER_MINUS:
            return kind == DIGIT and i != self.zero_id
        if kind == DIGIT:
            return digits == IN_DIGITS
        if i == self.eos_id:
            return need == 0
        if kind == SPECIAL:
            return False
        return need > 0

    cdef void _advance(self, Py_ssize_t* need, int* digits, int64_t i) noexcept nogil:
        cdef int kind = self._kind[i]
        if kind == DIGIT:
            if digits[0] == AFTER_PLUS and i == self.zero_id:
                digits[0] = OUTSIDE
            else:
                digits[0] = IN_DIGITS
        elif kind == SIGN:
            need[0] -= 1
            digits[0] = AFTER_MINUS if self._negative[i] else AFTER_PLUS
        elif kind == SPECIAL:
            need[0] = -1
            digits[0] = OUTSIDE
        else:
            need[0] += (kind == UNARY) + 2 * (kind == BINARY) - 1
            digits[0] = OUTSIDE

    cdef Py_ssize_t _scan(self, const int64_t[:] ids, Py_ssize_t n, int* digits) except -2:
        cdef Py_ssize_t need = 1, j
        digits[0] = OUTSIDE
        for j in range(n):
            if not self._allowed(need, digits[0], ids[j]):
                raise ValueError(
                    f"token id {ids[j]} at position {j} cannot continue this prefix")
            self._advance(&need, digits, ids[j])
        return need

    def state(self, ids):
        """The validator state ``(need, digits)`` after the prefix ``ids``."""
        cdef const int64_t[:] view = np.ascontiguousarray(ids, dtype=np.int64).reshape(-1)
        cdef int digits
        cdef Py_ssize_t need = self._scan(view, view.shape[0], &digits)
        return need, digits

    def is_complete(self, ids):
        """Whether ``ids`` is a whole well-formed expression, end token or not."""
        try:
            need, digits = self.state(ids)
        except ValueError:
            return False
        if need < 0:
            return True
        return need == 0 and digits != AFTER_PLUS and digits != AFTER_MINUS

    cdef void _fill_mask(self, Py_ssize_t need, int digits, Py_ssize_t length,
                         Py_ssize_t max_len, cnp.npy_bool* mask) noexcept nogil:
        cdef Py_ssize_t i, after_need, shortest
        cdef int after_digits
        for i in range(self._size):
            mask[i] = False
            if not self._allowed(need, digits, i):
                continue
            if max_len >= 0 and i != self.eos_id:
                after_need = need
                after_digits = digits
                self._advance(&after_need, &after_digits, i)
                shortest = length + 1 + after_need + (
                    after_digits == AFTER_PLUS or after_digits == AFTER_MINUS)
                if shortest > max_len:
                    continue
            mask[i] = True

    def allowed_next(self, ids, max_len=None):
        """
        Boolean mask over the vocabulary of the tokens that may follow the
        prefix ``ids``; with ``max_len``, only those that still leave room
        to complete the expression.
        """
        cdef const int64_t[:] view = np.ascontiguousarray(ids, dtype=np.int64).reshape(-1)
        cdef int digits
        cdef Py_ssize_t need = self._scan(view, view.shape[0], &digits)
        cdef cnp.ndarray[cnp.npy_bool, ndim=1] mask = np.empty(self._size, dtype=bool)
        self._fill_mask(need, digits, view.shape[0],
                        -1 if max_len is None else max_len, &mask[0])
        return mask

    def allowed_next_batch(self, ids, lengths, max_len=None):
        """:meth:`allowed_next` for each row ``ids[b, :lengths[b]]``: ``(B, V)``."""
        cdef const int64_t[:, :] view = np.ascontiguousarray(ids, dtype=np.int64)
        cdef const int64_t[:] lens = np.ascontiguousarray(lengths, dtype=np.int64)
        cdef Py_ssize_t batch = lens.shape[0], b, need
        cdef int digits
        cdef cnp.ndarray[cnp.npy_bool, ndim=2] mask = np.empty(
            (batch, self._size), dtype=bool)
        cdef Py_ssize_t limit = -1 if max_len is None else max_len
        for b in range(batch):
            need = self._scan(view[b], lens[b], &digits)
            self._fill_mask(need, digits, lens[b], limit, &mask[b, 0])
        return mask
