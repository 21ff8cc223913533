"""
The IPython extension: ``%load_ext sage_neural`` in a Sage or a plain Python
kernel.

It puts ``integrate_neural``, ``find_antiderivative``, ``next_terms``,
``oeis_neighbours``, ``to_tokens`` and ``from_tokens`` into the notebook's
namespace, registers ``algorithm='neural'``
with Sage's ``integrate``, and adds the line magic ``%integrate EXPR [, VAR]``,
whose result is shown as LaTeX. ``%neural_fallback on`` makes ``%integrate``
try Sage's own engines first (each answer verified) and the model only when
they fail; ``%neural_fallback off`` (the default) uses the model alone.
"""

import logging

logger = logging.getLogger(__name__)


class Answer:
    """A result shown as LaTeX in notebooks and as text elsewhere."""

    def __init__(self, value, note=""):
        self.value, self.note = value, note

    def __repr__(self):
        return f"{self.value}{'  # ' + self.note if self.note else ''}"

    def _repr_latex_(self):
        from sage.misc.latex import latex
        text = f"${latex(self.value)}$"
        return text + (f" \\quad \\text{{({self.note})}}" if self.note else "")


def _parse(text, namespace):
    """An expression typed in a magic, evaluated like a Sage input line."""
    import sage.all__sagemath_symbolics as sg
    try:
        from sage.repl.preparse import preparse
        source = preparse(text)
    except ImportError:
        source = text
    scope = {name: getattr(sg, name) for name in dir(sg) if not name.startswith("_")}
    scope.update(namespace)
    # Undefined single letters become symbolic variables, as in sage.
    for name in {w for w in _names(text) if w not in scope}:
        scope[name] = sg.SR.var(name)
    return eval(source, scope)


def _names(text):
    import re
    return re.findall(r"\b[A-Za-z_]\w*\b", text)


SETTINGS = {"fallback": False}


def fallback_magic(line):
    """``%neural_fallback on`` or ``off``."""
    word = line.strip().lower()
    if word not in ("on", "off", ""):
        raise ValueError(f"expected %neural_fallback on or off, got {line!r}")
    if word:
        SETTINGS["fallback"] = word == "on"
    return Answer("Sage's engines first, then the model" if SETTINGS["fallback"]
                  else "the model alone")


def integrate_magic(line, namespace):
    """``%integrate f`` or ``%integrate f, x``."""
    from ..integration.neural import find_antiderivative
    parts = [p.strip() for p in line.rsplit(",", 1)] if "," in line else [line.strip()]
    f = _parse(parts[0], namespace)
    x = _parse(parts[1], namespace) if len(parts) == 2 else None
    if SETTINGS["fallback"]:
        from ..integration.fallback import integrate_with_fallback
        found = integrate_with_fallback(f, x)
        if found.antiderivative is not None:
            return Answer(found.antiderivative,
                          f"{found.engine}, verified ({found.method}), {found.seconds:.2f} s")
    result = find_antiderivative(f, x)
    if result.verified:
        return Answer(result.antiderivative,
                      f"verified ({result.method}), candidate {result.rank + 1}, "
                      f"{result.seconds:.2f} s")
    from sage.symbolic.integration.integral import indefinite_integral
    return Answer(indefinite_integral(result.integrand, result.variable, hold=True),
                  f"no verified antiderivative among {result.tried} candidates")


def load_ipython_extension(ipython):
    from .. import find_antiderivative, from_tokens, integrate_neural, to_tokens
    from ..integration.register import register
    from ..sequences.neighbours import oeis_neighbours
    from ..sequences.next_terms import next_terms

    register()
    ipython.push({"integrate_neural": integrate_neural,
                  "find_antiderivative": find_antiderivative,
                  "next_terms": next_terms, "oeis_neighbours": oeis_neighbours,
                  "to_tokens": to_tokens, "from_tokens": from_tokens})
    ipython.register_magic_function(
        lambda line: integrate_magic(line, ipython.user_ns), "line", "integrate")
    ipython.register_magic_function(fallback_magic, "line", "neural_fallback")
    logger.info("sage_neural loaded: integrate_neural, next_terms, oeis_neighbours, "
                "%%integrate")


def unload_ipython_extension(ipython):
    from ..integration.register import unregister
    unregister()
