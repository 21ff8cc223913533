"""
Integer sequences: the next terms with a verified formula.

- :func:`~sage_neural.sequences.next_terms.next_terms` -- the entry point;
- :mod:`~sage_neural.sequences.formula` -- the formula interface and
  :func:`~sage_neural.sequences.formula.verify_formula`, the one check
  every answer passes;
- :mod:`~sage_neural.sequences.guessers` -- exact classical guessers;
- :mod:`~sage_neural.sequences.neural` -- recurrences proposed by the model;
- :mod:`~sage_neural.sequences.oeis` -- the OEIS dump files and the
  held-out split;
- :mod:`~sage_neural.sequences.evaluate` -- the comparison on held-out
  OEIS sequences.

Importing this package loads neither Sage nor a model.
"""

from .formula import FormulaCheck, SequenceFormula, verify_formula
from .next_terms import NextTerms, next_terms

__all__ = ["FormulaCheck", "NextTerms", "SequenceFormula", "next_terms",
           "verify_formula"]
