"""
Integration: verification of antiderivatives (and, later, the neural
integrator that proposes them).
"""
