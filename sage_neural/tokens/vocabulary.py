"""
The token language shared by the data generator, training and the runtime.

Expressions are written in prefix (Polish) notation, as in Lample & Charton,
"Deep Learning for Symbolic Mathematics" (2020):

- binary operators ``add sub mul div pow`` take two subtrees;
- unary functions (``sqrt exp log sin ... abs``) take one;
- leaves are the integration variable ``x``, named parameters (single
  letters), the constants ``pi E I``, and integers;
- an integer is a sign token ``INT+`` or ``INT-`` followed by its decimal
  digits, most significant first, without leading zeros; zero is ``INT+ 0``;
- a rational number is ``div`` of two integers.

Every model records :data:`VOCABULARY_VERSION` and :func:`fingerprint` of the
vocabulary it was trained with; the runtime refuses a model whose vocabulary
differs from this one.

There is exactly one vocabulary definition: this module.
"""

import hashlib

#: Bump whenever a token is added, removed, renamed or reordered.
VOCABULARY_VERSION = 1

# Kinds of token. The native module and its pure-Python twin only see these
# small integers, so they stay independent of the token names.
SPECIAL = 0   # padding, start and end of sequence
LEAF = 1      # variable, parameters, constants
UNARY = 2     # functions of one argument
BINARY = 3    # arithmetic operators
SIGN = 4      # INT+ / INT-: opens an integer, digits follow
DIGIT = 5     # 0 .. 9

PAD, BOS, EOS = "<pad>", "<bos>", "<eos>"
PAD_ID, BOS_ID, EOS_ID = 0, 1, 2

BINARY_OPERATORS = ("add", "sub", "mul", "div", "pow")

#: Unary functions, by token. The names follow Sage where Sage has a short
#: name and the usual abbreviations for the inverse functions.
FUNCTIONS = (
    "sqrt", "exp", "log",
    "sin", "cos", "tan", "cot", "sec", "csc",
    "asin", "acos", "atan", "acot", "asec", "acsc",
    "sinh", "cosh", "tanh", "coth", "sech", "csch",
    "asinh", "acosh", "atanh", "acoth", "asech", "acsch",
    "abs",
)

#: The token every integration variable is written as, whatever its name.
VARIABLE = "x"

CONSTANTS = ("pi", "E", "I")

#: Parameter names: single letters other than the variable token and the
#: constants ``E`` and ``I``.
PARAMETERS = tuple(
    c for c in "abcdefghijklmnopqrstuvwyz" + "ABCDFGHJKLMNOPQRSTUVWXYZ"
)

INTEGER_SIGNS = ("INT+", "INT-")
DIGITS = tuple("0123456789")


def _build():
    tokens, kinds = [], []

    def extend(names, kind):
        tokens.extend(names)
        kinds.extend([kind] * len(names))

    extend((PAD, BOS, EOS), SPECIAL)
    extend(BINARY_OPERATORS, BINARY)
    extend(FUNCTIONS, UNARY)
    extend((VARIABLE,) + CONSTANTS + PARAMETERS, LEAF)
    extend(INTEGER_SIGNS, SIGN)
    extend(DIGITS, DIGIT)
    return tuple(tokens), tuple(kinds)


#: All tokens, in id order, and the kind of each.
TOKENS, KINDS = _build()

#: Token -> id.
TOKEN_IDS = {token: i for i, token in enumerate(TOKENS)}

assert len(TOKEN_IDS) == len(TOKENS), "duplicate token in the vocabulary"
assert TOKENS[PAD_ID] == PAD and TOKENS[BOS_ID] == BOS
assert TOKENS[EOS_ID] == EOS

#: Number of arguments each kind of token takes in the prefix notation
#: (integers are leaves: their digits are not subtrees).
ARITY = {LEAF: 0, UNARY: 1, BINARY: 2, SIGN: 0}


def fingerprint():
    """
    A short hash of the token list and kinds; stored with every model and
    dataset so that a mismatch is detected on load.
    """
    text = "\n".join(f"{t}\t{k}" for t, k in zip(TOKENS, KINDS))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"v{VOCABULARY_VERSION}-{digest}"


#: Integers with more digits than this are refused by :func:`integer_tokens`.
MAX_INTEGER_DIGITS = 1000


def integer_tokens(n):
    """
    The tokens of the integer ``n``: a sign token and its decimal digits.

    >>> from sage_neural.tokens.vocabulary import integer_tokens
    >>> integer_tokens(-120)
    ['INT-', '1', '2', '0']
    >>> integer_tokens(0)
    ['INT+', '0']
    """
    n = int(n)
    # bit_length * log10(2) bounds the number of digits from above.
    if n.bit_length() * 0.30103 > MAX_INTEGER_DIGITS:
        raise ValueError(
            f"integer with about {int(n.bit_length() * 0.30103)} digits is too "
            f"long: at most {MAX_INTEGER_DIGITS} digits are tokenized")
    return [INTEGER_SIGNS[n < 0]] + list(str(abs(n)))
