"""OEIS neighbours: relations, the index, the answer, the plot and the CLI."""

import pathlib
import shutil
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from known_sequences import catalan, fibonacci
from sage_neural.__main__ import main
from sage_neural.sequences import neighbours as nb_module
from sage_neural.sequences.index import (ENV_VARIABLE, EncoderFileError,
                                         IndexMissingError, OEISIndex,
                                         SequenceEncoder, build_index,
                                         default_index_dir, featurise)
from sage_neural.sequences.neighbours import (MIN_OVERLAP, TRANSFORMS, Relation,
                                              find_relations, oeis_neighbours,
                                              parse_terms, transform,
                                              verify_relation)

ROOT = pathlib.Path(__file__).resolve().parents[1]
OEIS = ROOT.parent / "shared" / "data" / "oeis"
SIZE = 300


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    if not (OEIS / "stripped.gz").exists():
        pytest.skip(f"the OEIS dump files are not in {OEIS}")
    out = tmp_path_factory.mktemp("oeis") / "index"
    build_index(OEIS / "stripped.gz", OEIS / "names.gz", out, limit=SIZE,
                progress=False)
    return OEISIndex(out)


# ---------------------------------------------------------------------------
# Relations


@pytest.mark.parametrize("name", list(TRANSFORMS))
@pytest.mark.parametrize("factor", [1, -3, Fraction(1, 2)])
def test_true_relations_are_found(name, factor):
    b = catalan(30)
    # A multiple of 1/2 of a sequence with odd terms is not integral:
    # scale the neighbour instead.
    if factor.__class__ is Fraction:
        b = [2 * x for x in b]
    query = [factor * x for x in transform(name, b)][1:13]
    query = [int(x) for x in query]
    relations = find_relations(query, b)
    assert relations, name
    for relation in relations:
        assert verify_relation(relation, query, b).verified
    if name != "terms":
        # The same terms would need a transform: the simplest relation
        # found must go through one (the one asked for or an equivalent).
        assert relations[0].transform != "terms" or name == "terms"


def test_relation_through_the_query():
    b = catalan(30)
    query = [sum(b[:i + 1]) + 5 for i in range(3, 15)]  # not a plain partial sum
    relations = find_relations(query, b)
    assert [str(r) for r in relations] == ["diff(a)(n) = b(n+4)"]


def test_false_relations_are_rejected():
    b = catalan(20)
    same = Relation("terms", "neighbour", 1, Fraction(1))
    good = b[1:11]
    assert verify_relation(same, good, b).verified
    bad = good[:5] + [good[5] + 1] + good[6:]
    check = verify_relation(same, bad, b)
    assert not check.verified and "a(5)" in check.reason
    assert not verify_relation(Relation("terms", "neighbour", 1, Fraction(2)), good,
                               b).verified
    assert not verify_relation(Relation("terms", "neighbour", 2, Fraction(1)), good,
                               b).verified
    assert not verify_relation(Relation("binomial transform", "neighbour", 0,
                                        Fraction(1)), good, b).verified
    # Too few terms to compare, all zero, a zero factor, too many left out.
    assert not verify_relation(same, good[:MIN_OVERLAP - 1], b).verified
    assert not verify_relation(same, [0] * 8, [0] * 12).verified
    assert not verify_relation(Relation("terms", "neighbour", 0, Fraction(0)),
                               [0] * 8, b).verified
    assert not verify_relation(Relation("terms", "neighbour", -3, Fraction(1)),
                               [7, 7, 7] + b[:10], b).verified
    assert find_relations(list(range(1, 13)), b) == []


@given(st.lists(st.integers(-10**6, 10**6), min_size=20, max_size=40),
       st.sampled_from(sorted(TRANSFORMS)), st.integers(0, 4),
       st.sampled_from([1, -1, 2, 7]))
def test_constructed_relations_verify(b, name, shift, factor):
    values = transform(name, b)
    query = [factor * x for x in values[shift:shift + 10]]
    if len(query) < MIN_OVERLAP or not any(query):
        return
    constructed = Relation(name, "neighbour", shift, Fraction(factor))
    assert verify_relation(constructed, query, b).verified
    relations = find_relations(query, b)
    assert relations
    assert all(verify_relation(r, query, b).verified for r in relations)


def test_transforms_are_exact_inverses():
    b = [3, -1, 4, 1, -5, 9, 2, 6, 5, 3]
    binomial = transform("binomial transform", b)
    assert transform("inverse binomial transform", binomial) == b
    assert transform("differences", transform("partial sums", b)) == b[1:]
    assert transform("binomial transform", [1] * 6) == [1, 2, 4, 8, 16, 32]
    with pytest.raises(ValueError, match="unknown transform"):
        transform("reverse", b)


# ---------------------------------------------------------------------------
# The answer


def test_window_finds_its_source_first(small_index):
    query = fibonacci(20)[5:17]
    found = oeis_neighbours(query, k=5, index=small_index, candidates=SIZE)
    assert found[0].anumber == "A000045"
    assert str(found[0].relations[0]) == "a(n) = b(n+5)"
    assert "Fibonacci" in found[0].name
    assert len(found) == 5
    assert "CC BY-SA 4.0" in str(found) and "oeis.org" in found.credit


def test_transform_is_related(small_index):
    query = [3 * x for x in transform("binomial transform", catalan(20))][:12]
    found = oeis_neighbours(query, k=SIZE, index=small_index, candidates=SIZE)
    catalan_entry = [n for n in found if n.anumber == "A000108"]
    assert catalan_entry
    assert "a(n) = 3*binom(b)(n)" in [str(r) for r in catalan_entry[0].relations]


def test_sequence_not_in_the_oeis(small_index):
    query = [7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5, 9, 0, 4, 5]
    found = oeis_neighbours(query, k=7, index=small_index)
    assert len(found) == 7
    for neighbour in found:
        assert -1.0001 <= neighbour.similarity <= 1.0001
        for relation in neighbour.relations:
            assert verify_relation(relation, query, neighbour.terms).verified


def test_every_relation_passes_the_check(small_index, monkeypatch):
    query = fibonacci(20)[5:17]
    assert oeis_neighbours(query, index=small_index, candidates=SIZE)[0].relations
    monkeypatch.setattr(nb_module, "verify_relation",
                        lambda *args, **kwargs: nb_module.RelationCheck(False, 0, "no"))
    found = oeis_neighbours(query, index=small_index, candidates=SIZE)
    assert all(not n.relations for n in found)


def test_malformed_input(small_index):
    with pytest.raises(ValueError, match="expected integers separated"):
        oeis_neighbours("1, 2, x, 4", index=small_index)
    with pytest.raises(ValueError, match="expected integers"):
        oeis_neighbours([1, 2, 2.5, 4], index=small_index)
    with pytest.raises(ValueError, match="at least 3 terms"):
        oeis_neighbours("1, 2", index=small_index)
    with pytest.raises(ValueError, match="k >= 1"):
        oeis_neighbours("1, 2, 3", k=0, index=small_index)
    assert parse_terms("1 -2,3") == [1, -2, 3]


def test_missing_index(tmp_path, monkeypatch):
    with pytest.raises(IndexMissingError, match="python -m sage_neural oeis build"):
        OEISIndex(tmp_path / "nowhere")
    with pytest.raises(IndexMissingError, match="oeis build --stripped"):
        oeis_neighbours([1, 2, 3, 4], index=tmp_path / "nowhere")
    monkeypatch.setenv(ENV_VARIABLE, str(tmp_path / "chosen"))
    assert default_index_dir() == tmp_path / "chosen"


def test_encoder_checks_its_file(tmp_path):
    shipped = SequenceEncoder.shipped_path()
    for suffix in (".json", ".onnx"):
        shutil.copy(shipped.with_suffix(suffix), tmp_path / f"oeis_encoder{suffix}")
    encoder = SequenceEncoder(tmp_path)
    vectors = encoder.encode([[1, 2, 3, 4], [5, -6, 10**40]])
    assert vectors.shape == (2, encoder.dimension)
    assert abs(float((vectors ** 2).sum(axis=1)[0]) - 1) < 1e-4
    with open(tmp_path / "oeis_encoder.onnx", "ab") as f:
        f.write(b"0")
    with pytest.raises(EncoderFileError, match="checksum"):
        SequenceEncoder(tmp_path)
    with pytest.raises(EncoderFileError, match="missing"):
        SequenceEncoder(tmp_path / "none.json")


def test_features_of_a_window_match_a_prefix():
    # What training slices out of a longer view equals what the runtime
    # computes for the window alone.
    from sage_neural.sequences.index import finish_features, local_features
    terms = fibonacci(40)
    window = local_features(terms, 40)[None, 5:15].copy()
    full, _ = finish_features(window)
    alone, _ = featurise([terms[5:15]], length=10)
    assert abs(full - alone).max() < 1e-6


# ---------------------------------------------------------------------------
# Plot and command line


def test_plot_png(small_index, tmp_path):
    pytest.importorskip("matplotlib")
    found = oeis_neighbours(catalan(10)[1:], k=4, index=small_index)
    path = tmp_path / "neighbours.png"
    figure = found.plot(path)
    assert figure.axes and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert found._repr_png_()[:4] == b"\x89PNG"


def test_command_line(small_index, tmp_path, capsys):
    png = tmp_path / "out.png"
    code = main(["oeis", "neighbours", "0,1,1,2,3,5,8,13,21,34", "--k", "3",
                 "--index", str(small_index.path), "--plot", str(png)])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "A000045" in out.out and "CC BY-SA 4.0" in out.out
    assert png.exists() or "matplotlib" in out.err

    assert main(["oeis", "neighbours", "1,2,x", "--index",
                 str(small_index.path)]) == 2
    assert main(["oeis", "neighbours", "1,2,3", "--index",
                 str(tmp_path / "none")]) == 2
    assert "oeis build" in capsys.readouterr().err

    out_dir = tmp_path / "built"
    assert main(["oeis", "build", "--stripped", str(OEIS / "stripped.gz"),
                 "--names", str(OEIS / "names.gz"), "--out", str(out_dir),
                 "--limit", "40"]) == 0
    assert "indexed 40 sequences" in capsys.readouterr().out
    assert len(OEISIndex(out_dir)) == 40
