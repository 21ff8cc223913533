import os

from hypothesis import HealthCheck, settings

# Sage calls are slow compared with what hypothesis expects of a test; keep
# the number of examples moderate and reproducible in CI, and larger and
# random when asked for with HYPOTHESIS_PROFILE=thorough.
settings.register_profile(
    "default", deadline=None, max_examples=150, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.register_profile(
    "thorough", deadline=None, max_examples=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
