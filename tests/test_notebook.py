"""The example notebook, executed through a real Jupyter kernel."""

import pathlib

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = pathlib.Path(__file__).resolve().parents[1] / "examples" / "integrate.ipynb"


def test_example_notebook_runs():
    from sage_neural.runtime.model import resolve
    if not resolve("integration").exists():
        pytest.fail("the shipped model models/integration.json is missing")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    magic = nb.cells[2].outputs
    # The magic's answer is shown as LaTeX: verified, or left unevaluated.
    latex = [o["data"]["text/latex"] for o in magic if "data" in o and "text/latex" in o["data"]]
    assert latex, magic
    assert "verified" in latex[0] or "no verified antiderivative" in latex[0]
    # The next Catalan numbers, with the formula that gives them.
    sequence = nb.cells[6].outputs[0]["data"]["text/plain"]
    assert "next 5 terms: 208012, 742900, 2674440, 9694845, 35357670" in sequence, sequence
    for cell in nb.cells[3:]:
        if cell.cell_type == "code":
            assert not any(o.get("output_type") == "error" for o in cell.outputs)
    # With the fallback on, Sage's engines answer first, each verified:
    # Maxima's antiderivative of (-x^2 - 2*x + 15)^(-1/2) verifies.
    fallback = nb.cells[-1].outputs[0]["data"]["text/latex"]
    assert "maxima, verified" in fallback, fallback
