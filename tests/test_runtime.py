import json

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the 'train' extra (torch) is needed")

from sage_neural.data.sampler import ExpressionSampler  # noqa: E402
from sage_neural.runtime.beam import beam_search  # noqa: E402
from sage_neural.runtime.model import ModelFileError, OnnxSeq2Seq  # noqa: E402
from sage_neural.tokens import BOS_ID, TOKENS, codec  # noqa: E402
from sage_neural.training.export import export  # noqa: E402
from sage_neural.training.model import ModelConfig, Seq2Seq  # noqa: E402
from sage_neural.training.train import greedy  # noqa: E402


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A small untrained model, exported; weights made less uniform than at init."""
    torch.manual_seed(0)
    model = Seq2Seq(ModelConfig(vocab_size=len(TOKENS), d_model=32, heads=2,
                                encoder_layers=2, decoder_layers=2, ff_width=64,
                                max_len=64, dropout=0.0))
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.2)
    model.eval()
    folder = tmp_path_factory.mktemp("model")
    meta = export(model, folder, "tiny")
    return model, meta


def held_out_sources(n=4, seed=99):
    sampler = ExpressionSampler(seed=seed)
    return [sampler.sample(k) for k in range(1, n + 1)]


def encoded(sources):
    ids, _ = codec().encode_batch(sources)
    return ids, (ids != 0).astype(np.int64)


def test_onnx_logits_match_torch(tiny):
    model, meta = tiny
    session = OnnxSeq2Seq(meta, device="cpu")
    source, mask = encoded(held_out_sources())
    target = np.array([[BOS_ID] + codec().encode(t)[:6] + [0] * (6 - min(6, len(t)))
                       for t in held_out_sources(seed=5)], dtype=np.int64)[:len(source)]
    with torch.no_grad():
        ck, cv, cm = model.encode(torch.from_numpy(source), torch.from_numpy(mask))
        expected = model.decode(torch.from_numpy(target), ck, cv, cm).numpy()
    cross_k, cross_v, cross_mask = session.encode(source, mask)
    np.testing.assert_allclose(cross_k, ck.numpy(), rtol=1e-4, atol=1e-4)

    # The uncached decoder over the whole prefix.
    uncached = session.decode(target, cross_k, cross_v, cross_mask)
    np.testing.assert_allclose(uncached, expected, rtol=1e-4, atol=1e-4)

    # The cached decoder, one step at a time.
    c = session.config
    shape = (c["decoder_layers"], len(source), c["heads"], 0, c["d_model"] // c["heads"])
    past_k = past_v = np.zeros(shape, dtype=np.float32)
    for position in range(target.shape[1]):
        logits, past_k, past_v = session.step(target[:, position:position + 1], position,
                                              past_k, past_v, cross_k, cross_v, cross_mask)
        np.testing.assert_allclose(logits, expected[:, position], rtol=1e-4, atol=1e-4)
    assert past_k.shape[3] == target.shape[1]


def test_beam_search(tiny):
    model, meta = tiny
    session = OnnxSeq2Seq(meta, device="cpu")
    assert session.provider == "CPUExecutionProvider"
    sources = held_out_sources(3)
    cached = beam_search(session, sources, beam_size=4, max_len=12)
    uncached = beam_search(session, sources, beam_size=4, max_len=12, cache=False)
    c = codec()
    for with_cache, without in zip(cached, uncached):
        assert [x.tokens for x in with_cache] == [x.tokens for x in without]
        np.testing.assert_allclose([x.score for x in with_cache],
                                   [x.score for x in without], rtol=1e-5)
        assert 1 <= len(with_cache) <= 4
        scores = [x.score for x in with_cache]
        assert scores == sorted(scores, reverse=True)
        for candidate in with_cache:
            # Every candidate is a complete, well-formed expression.
            assert c.is_complete(c.encode(candidate.tokens))
            assert len(candidate.tokens) <= 12


def test_beam_one_is_greedy_when_greedy_is_well_formed(tiny):
    model, meta = tiny
    session = OnnxSeq2Seq(meta, device="cpu")
    sources = held_out_sources(4)
    source, mask = encoded(sources)
    c = codec()
    rows = greedy(model, torch.from_numpy(source), torch.from_numpy(mask), 13).numpy()
    best = beam_search(session, sources, beam_size=1, max_len=12)
    for row, found in zip(rows, best):
        tokens = c.decode_batch(row[None])[0]
        if c.is_complete(c.encode(tokens)) and len(tokens) <= 12 and found:
            assert found[0].tokens == tokens


def test_missing_and_corrupt_files(tiny, tmp_path):
    _, meta = tiny
    with pytest.raises(ModelFileError, match="is missing"):
        OnnxSeq2Seq(tmp_path / "nothing.json")
    # A truncated graph fails its checksum, naming the file.
    folder = tmp_path / "copy"
    folder.mkdir()
    for f in meta.parent.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    encoder = folder / "tiny.encoder.onnx"
    encoder.write_bytes(encoder.read_bytes()[:100])
    with pytest.raises(ModelFileError, match="tiny.encoder.onnx is corrupt"):
        OnnxSeq2Seq(folder / "tiny.json")
    # Another vocabulary is refused.
    data = json.loads(meta.read_text())
    data["vocabulary"] = "v0-0000"
    (folder / "tiny.json").write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match="vocabulary v0-0000"):
        OnnxSeq2Seq(folder / "tiny.json")
    (folder / "tiny.json").write_text("{not json")
    with pytest.raises(ModelFileError, match="is corrupt"):
        OnnxSeq2Seq(folder / "tiny.json")
