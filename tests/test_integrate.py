import pytest

torch = pytest.importorskip("torch", reason="the 'train' extra (torch) is needed")

import sage.all__sagemath_symbolics as sg  # noqa: E402
from sage_neural import find_antiderivative, integrate_neural, to_tokens  # noqa: E402
from sage_neural.integration.neural import NoVerifiedAntiderivative  # noqa: E402
from sage_neural.tokens import BOS_ID, EOS_ID, TOKENS, codec  # noqa: E402
from sage_neural.training.export import export  # noqa: E402
from sage_neural.training.model import ModelConfig, Seq2Seq  # noqa: E402

x, t = sg.SR.var("x t")


@pytest.fixture(scope="module")
def memorizer(tmp_path_factory):
    """
    A tiny model trained to answer x*sin(x) + cos(x) for x*cos(x): right for
    that integrand, wrong for every other, which the verifier must reject.
    """
    torch.manual_seed(0)
    c = codec()
    model = Seq2Seq(ModelConfig(vocab_size=len(TOKENS), d_model=32, heads=2,
                                encoder_layers=1, decoder_layers=1, ff_width=64,
                                max_len=64, dropout=0.0))
    source = torch.tensor([c.encode(to_tokens(x * sg.cos(x))) + [EOS_ID]])
    target = torch.tensor([[BOS_ID] + c.encode(to_tokens(x * sg.sin(x) + sg.cos(x)))
                           + [EOS_ID]])
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(300):
        logits = model(source, torch.ones_like(source), target[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits[0], target[0, 1:])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.05
    model.eval()
    return export(model, tmp_path_factory.mktemp("memorizer"), "memorizer")


def test_verified_answer(memorizer):
    F = integrate_neural(x * sg.cos(x), model=memorizer, beam_size=4)
    assert F == x * sg.sin(x) + sg.cos(x)
    result = find_antiderivative(x * sg.cos(x), model=memorizer, beam_size=4)
    assert result.verified and result.rank == 0 and result.method in ("exact", "numeric")
    assert result.seconds > 0 and result.score < 0


def test_other_variable(memorizer):
    F = integrate_neural(t * sg.cos(t), t, model=memorizer, beam_size=4)
    assert F == t * sg.sin(t) + sg.cos(t)


def test_wrong_candidates_are_never_returned(memorizer):
    # The model answers x*sin(x) + cos(x) here too, which is wrong.
    f = x * sg.sin(x)
    result = find_antiderivative(f, model=memorizer, beam_size=4)
    assert not result.verified and result.tried >= 1
    unevaluated = integrate_neural(f, model=memorizer, beam_size=4)
    assert unevaluated.operator().name() == "integrate"
    with pytest.raises(NoVerifiedAntiderivative, match="no verified antiderivative"):
        integrate_neural(f, model=memorizer, beam_size=4, raise_on_failure=True)


@pytest.mark.parametrize("f, x_, message", [
    (sg.bessel_J(0, x), None, "unsupported function bessel_J"),
    ("x^2", None, "got the string"),
    (x == 1, None, "cannot integrate the relation"),
    (x**2, 2 * x, "cannot integrate with respect to 2\\*x"),
    (t * sg.SR.var("s"), None, "cannot choose the variable"),
])
def test_bad_inputs(memorizer, f, x_, message):
    with pytest.raises(ValueError, match=message):
        integrate_neural(f, x_, model=memorizer)


def test_huge_expression(memorizer):
    f = sum(sg.sin(k * x) for k in range(1, 40))
    with pytest.raises(ValueError, match="too large for the model"):
        integrate_neural(f, model=memorizer)


def test_missing_model_is_a_clear_error(tmp_path):
    from sage_neural.runtime.model import ModelFileError
    with pytest.raises(ModelFileError, match="is missing"):
        integrate_neural(x, model=tmp_path / "none.json")


def test_registered_with_sages_integrate(memorizer, monkeypatch):
    from sage.symbolic.integration.integral import available_integrators
    from sage_neural.integration import register as hooks
    from sage_neural.integration import neural

    # Point the default model at the fixture for this test.
    original = neural.find_antiderivative
    monkeypatch.setattr(neural, "find_antiderivative",
                        lambda f, x=None, *args, **kw: original(f, x, model=memorizer,
                                                                beam_size=4))
    hooks.register()
    try:
        assert sg.integrate(x * sg.cos(x), x, algorithm="neural") == x * sg.sin(x) + sg.cos(x)
        value = sg.integrate(x * sg.cos(x), x, 0, 1, algorithm="neural")
        assert abs(float(value) - float(sg.sin(1) + sg.cos(1) - 1)) < 1e-12
    finally:
        hooks.unregister()
    assert "neural" not in available_integrators


def test_command_line(memorizer, tmp_path, capsys):
    import json
    from sage_neural.__main__ import main

    assert main(["integrate", "x*cos(x)", "--model", str(memorizer), "--beam", "4"]) == 0
    assert capsys.readouterr().out.strip() == "x*sin(x) + cos(x)"
    assert main(["integrate", "x*sin(x)", "--model", str(memorizer), "--beam", "4"]) == 1
    assert main(["integrate", "bessel_J(0, x)", "--model", str(memorizer)]) == 2
    assert "unsupported function bessel_J" in capsys.readouterr().err

    integrands = tmp_path / "integrands.txt"
    integrands.write_text("x*cos(x)\nx*sin(x)\nbessel_J(0, x)\n")
    report = tmp_path / "report.json"
    assert main(["integrate", "--file", str(integrands), "--report", str(report),
                 "--model", str(memorizer), "--beam", "4"]) == 0
    data = json.loads(report.read_text())
    assert data["solved"] == 1 and data["total"] == 3
    assert data["results"][0]["antiderivative"] == "x*sin(x) + cos(x)"
    assert data["results"][1]["verified"] is False
    assert "error" in data["results"][2]

    assert main(["integrate", "--file", str(tmp_path / "missing.txt")]) == 2
    assert "cannot read the integrands" in capsys.readouterr().err
