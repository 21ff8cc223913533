"""The Sage-style examples in the docstrings, run by Sage's own doctester."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_docstring_examples():
    result = subprocess.run(
        [sys.executable, "-m", "sage.doctest",
         "--environment=sage.all__sagemath_symbolics", "sage_neural"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "All tests passed!" in output
