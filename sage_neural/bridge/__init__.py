"""
Expressions <-> prefix tokens, for Sage (:mod:`.sage`) and SymPy
(:mod:`.sympy`); both share :mod:`.tree`.
"""
