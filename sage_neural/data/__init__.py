"""
Training data: random expressions and verified integration pairs.
"""
