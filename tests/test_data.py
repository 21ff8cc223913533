import json

import pytest

import sage.all__sagemath_symbolics as sg
from sage_neural import from_tokens
from sage_neural.data import storage
from sage_neural.data.__main__ import main as data_main
from sage_neural.data.backward import backward_pair
from sage_neural.data.generate import generate, held_out
from sage_neural.data.parts import ibp_pair
from sage_neural.integration.verify import verify_antiderivative

x, a = sg.SR.var("x a")


def test_verification_rejects_a_wrong_pair():
    # x*sin(x) is not an antiderivative of x*cos(x); x*sin(x) + cos(x) is.
    assert not verify_antiderivative(x * sg.cos(x), x * sg.sin(x), x)
    assert verify_antiderivative(x * sg.cos(x), x * sg.sin(x) + sg.cos(x), x)
    # Off by a tiny constant factor is still wrong.
    assert not verify_antiderivative(1 / x, sg.log(x) + x / 10**40, x)
    # Parameters get random values.
    assert verify_antiderivative(1 / (x**2 + a**2), sg.arctan(x / a) / a, x)
    assert not verify_antiderivative(1 / (x**2 + a**2), sg.arctan(x / a), x)


def test_backward_pair_verifies():
    integrand, antiderivative = backward_pair(["mul", "x", "sin", "x"])
    assert from_tokens(integrand) == x * sg.cos(x) + sg.sin(x)
    assert verify_antiderivative(from_tokens(integrand), from_tokens(antiderivative), x)
    # Constants in x and trees that cannot be built are rejected.
    assert backward_pair(["INT+", "3"]) is None
    assert backward_pair(["div", "x", "INT+", "0"]) is None
    # Too long for max_len.
    assert backward_pair(["mul", "x", "sin", "x"], max_len=3) is None


def test_ibp_pair_of_a_simple_case_verifies():
    # F = sin(x), G = x: the integral of x*cos(x) is x*sin(x) minus that of sin(x).
    integrand, antiderivative = ibp_pair(["sin", "x"], ["x"])
    f, F = from_tokens(integrand), from_tokens(antiderivative)
    assert f == x * sg.cos(x)
    assert bool(F == x * sg.sin(x) + sg.cos(x))
    assert verify_antiderivative(f, F, x)
    # G constant in x, and an F*G' whose integral needs erf, give nothing.
    assert ibp_pair(["sin", "x"], ["INT+", "3"]) is None
    assert ibp_pair(["sin", "x"], ["exp", "pow", "x", "INT+", "2"]) is None
    # Too long for max_len.
    assert ibp_pair(["sin", "x"], ["x"], max_len=5) is None


def test_split_depends_on_the_integrand_only():
    tokens = ["mul", "x", "cos", "x"]
    assert held_out(tokens, 1000) and not held_out(tokens, 0)
    assert held_out(tokens, 500) == held_out(list(tokens), 500)


def test_generate_on_a_local_cluster_and_resume(tmp_path):
    out = tmp_path / "bwd"
    manifest = generate(out, "bwd", 60, workers=2, chunk_size=30, test_permille=200,
                        progress=False)
    stored = sum(s["count"] for s in manifest["shards"])
    assert stored >= 60
    pairs = list(storage.iter_pairs(out))
    assert len(pairs) == stored
    # No integrand twice, and none in both splits.
    integrands = [" ".join(p[0]) for p in pairs]
    assert len(set(integrands)) == len(integrands)
    test = {" ".join(p[0]) for p in storage.iter_pairs(out, "test")}
    train = {" ".join(p[0]) for p in storage.iter_pairs(out, "train")}
    assert test and train and not test & train
    # Every stored pair verifies.
    for integrand, antiderivative in pairs:
        assert verify_antiderivative(from_tokens(integrand), from_tokens(antiderivative), x)

    # Asking for more resumes: the shards written stay as they are.
    first = {s["file"]: s["count"] for s in manifest["shards"]}
    again = generate(out, "bwd", stored + 30, workers=1, chunk_size=30,
                     test_permille=200, progress=False)
    assert {s["file"]: s["count"] for s in again["shards"]
            if s["file"] in first} == first
    assert sum(s["count"] for s in again["shards"]) >= stored + 30

    # Other settings in the same folder are refused.
    with pytest.raises(ValueError, match="other settings"):
        generate(out, "bwd", 10, workers=1, chunk_size=10, progress=False)


def test_command_line(tmp_path, capsys):
    out = tmp_path / "cli"
    assert data_main(["generate", "--kind", "bwd", "--count", "20", "--out", str(out),
                      "--workers", "1", "--chunk-size", "20"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["stored"] >= 20
    assert data_main(["stats", str(out), "--sage-sample", "2"]) == 0
    text = capsys.readouterr().out
    assert "integrand length" in text and "Sage's integrate fails" in text


def test_missing_dataset_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no dataset"):
        list(storage.iter_pairs(tmp_path))


@pytest.fixture(scope="module")
def one_worker():
    """A local cluster of one worker process, shared by the Sage-calling kinds."""
    from dask.distributed import LocalCluster
    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    yield cluster.scheduler_address
    cluster.close()


@pytest.mark.parametrize("kind", ["fwd", "ibp"])
def test_sage_calling_kinds_on_a_dask_worker(tmp_path, one_worker, kind):
    # Dask runs the chunk in a task thread, where Maxima cannot run; the
    # chunk must come back from a fresh process all the same. Small
    # expressions keep the test short.
    out = tmp_path / kind
    manifest = generate(out, kind, 3, scheduler=one_worker, chunk_size=8, max_ops=3,
                        seconds=2, progress=False)
    assert manifest["settings"]["seconds"] == 2
    stored = sum(s["count"] for s in manifest["shards"])
    assert stored >= 3
    pairs = list(storage.iter_pairs(out))
    assert len(pairs) == stored
    for integrand, antiderivative in pairs:
        assert "I" not in integrand and "I" not in antiderivative
        f, F = from_tokens(integrand), from_tokens(antiderivative)
        assert verify_antiderivative(f, F, x)
