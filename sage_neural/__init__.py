"""
sage_neural: trained neural models for computer algebra, with every answer
verified by Sage before it is returned.

Importing this package does not import Sage, read files or touch the network;
Sage is loaded when a function that needs it is first called.
"""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["__version__", "find_antiderivative", "from_tokens", "integrate_neural",
           "to_tokens"]


def integrate_neural(f, x=None, **options):
    """
    A verified antiderivative of ``f`` proposed by the neural model, or the
    unevaluated integral; see :func:`sage_neural.integration.neural.integrate_neural`.

    EXAMPLES::

        sage: from sage_neural import integrate_neural
        sage: integrate_neural(x == 1)
        Traceback (most recent call last):
        ...
        ValueError: cannot integrate the relation x == 1: expected an expression
    """
    from .integration.neural import integrate_neural as integrate
    return integrate(f, x, **options)


def find_antiderivative(f, x=None, **options):
    """
    The neural search for an antiderivative with its record (rank, score,
    verification method, time); see
    :func:`sage_neural.integration.neural.find_antiderivative`.
    """
    from .integration.neural import find_antiderivative as find
    return find(f, x, **options)


def _is_sympy(expr):
    module = type(expr).__module__ or ""
    return module.startswith("sympy.")


def to_tokens(expr, variable=None):
    """
    Prefix tokens of a Sage (or SymPy) expression; ``variable`` is written
    as ``x``.

    INPUT:

    - ``expr`` -- a Sage symbolic expression; a SymPy expression is
      tokenized by the SymPy bridge
    - ``variable`` -- (default: ``x``, or the only variable of ``expr``) the
      integration variable

    OUTPUT: a list of token strings

    EXAMPLES::

        sage: from sage_neural import to_tokens
        sage: x = SR.var('x')
        sage: to_tokens(2*x^3 + sin(x))
        ['add', 'mul', 'INT+', '2', 'pow', 'x', 'INT+', '3', 'sin', 'x']
        sage: to_tokens(x == 1)
        Traceback (most recent call last):
        ...
        ValueError: cannot tokenize the relation x == 1: expected an expression, not an equation or inequality
    """
    if _is_sympy(expr):
        from .bridge import sympy as bridge
    else:
        from .bridge import sage as bridge
    return bridge.to_tokens(expr, variable)


def from_tokens(tokens, variable=None, backend="sage"):
    """
    The expression written by prefix ``tokens``, as a Sage expression (or a
    SymPy one with ``backend='sympy'``).

    INPUT:

    - ``tokens`` -- a sequence of token strings
    - ``variable`` -- (default: ``x``) the variable the token ``x`` stands for
    - ``backend`` -- ``'sage'`` (default) or ``'sympy'``

    OUTPUT: a symbolic expression

    EXAMPLES::

        sage: from sage_neural import from_tokens
        sage: from_tokens(['add', 'mul', 'INT+', '2', 'pow', 'x', 'INT+', '3', 'sin', 'x'])
        2*x^3 + sin(x)
        sage: from_tokens(['sub', 'x', 'INT-', '0'])
        Traceback (most recent call last):
        ...
        ValueError: malformed integer at position 2: negative zero
    """
    if backend == "sage":
        from .bridge import sage as bridge
    elif backend == "sympy":
        from .bridge import sympy as bridge
    else:
        raise ValueError(f"unknown backend {backend!r}: expected 'sage' or 'sympy'")
    return bridge.from_tokens(tokens, variable)


def load_ipython_extension(ipython):
    """``%load_ext sage_neural``: see :mod:`sage_neural.interfaces.ipython`."""
    from .interfaces.ipython import load_ipython_extension as load
    load(ipython)


def unload_ipython_extension(ipython):
    from .interfaces.ipython import unload_ipython_extension as unload
    unload(ipython)
