"""
The sequence encoder at run time, and the index of OEIS sequences.

The encoder maps the first terms of an integer sequence to a unit vector;
sequences that are windows or simple transforms of one another (a constant
multiple, the differences, the partial sums, the binomial transform, a
bisection) land close together. It is a small 1-D convolutional network
trained by :mod:`sage_neural.training.encoder` and shipped as
``models/oeis_encoder.onnx``, with ``models/oeis_encoder.json`` beside it
(the input layout and the SHA-256 of the graph, checked on load).

The index is a folder built from the OEIS's own dump files by
``python -m sage_neural oeis build``: the vectors of every sequence in a
vector-search structure (faiss HNSW, inner product), and the A-numbers,
terms and names, read back lazily. Its default place is the per-user cache
folder; ``--out`` or the ``SAGE_NEURAL_OEIS_INDEX`` environment variable
chooses another.

Only onnxruntime, numpy and faiss are used here; nothing is read before a
function asks for it.
"""

import hashlib
import json
import logging
import math
import os
import pathlib
import time

import numpy as np

logger = logging.getLogger(__name__)

__all__ = ["ENV_VARIABLE", "IndexMissingError", "OEISIndex", "SequenceEncoder",
           "build_index", "default_index_dir", "featurise"]

#: Environment variable naming the index folder.
ENV_VARIABLE = "SAGE_NEURAL_OEIS_INDEX"

#: Terms the encoder reads (a query's first ``WINDOW`` terms).
WINDOW = 32

#: Format of the encoder's metadata file and of the index folder.
ENCODER_FORMAT = "sage_neural-sequence-encoder"
INDEX_FORMAT = "sage_neural-oeis-index"

# Per-position features: the moduli of the one-hot residues.
_MODULI = (3, 5)
# Column layout of the features.
PRESENT, SIGN, LOG, CENTRED, STEP, ZERO, SAME, RISE, PARITY = range(9)
_RESIDUES = PARITY + 1
FEATURES = _RESIDUES + sum(_MODULI)
# Columns that compare a term with the one before it: zero at a window's start.
_PREVIOUS = (STEP, SAME, RISE)


def _log_size(value):
    """``log10(1 + |value|)`` for a Python integer of any size."""
    value = abs(value)
    if value < 2 ** 52:
        return math.log10(1 + value)
    return math.log10(value)


def local_features(terms, length):
    """
    The features of ``terms[:length]`` that depend on one term and its
    predecessor, as a ``(length, FEATURES)`` float32 array (zero past the
    last term); :func:`finish_features` completes them.
    """
    out = np.zeros((length, FEATURES), dtype=np.float32)
    previous = None
    for i, a in enumerate(terms[:length]):
        row = out[i]
        row[PRESENT] = 1.0
        row[SIGN] = (a > 0) - (a < 0)
        row[LOG] = _log_size(a) / 10.0
        row[ZERO] = a == 0
        if previous is not None:
            row[STEP] = min(max(3.0 * (row[LOG] - out[i - 1, LOG]), -10.0), 10.0)
            row[SAME] = a == previous
            row[RISE] = (a > previous) - (a < previous)
        row[PARITY] = a & 1
        column = _RESIDUES
        for m in _MODULI:
            row[column + a % m] = 1.0
            column += m
        previous = a
    return out


def finish_features(features):
    """
    Complete a batch ``(B, N, FEATURES)`` of local features in place: the
    first position has no predecessor, and the centred log-size is the
    log-size less its mean over the terms present. Returns the batch and
    its mask ``(B, N)``.
    """
    mask = features[:, :, PRESENT]
    features[:, 0, list(_PREVIOUS)] = 0.0
    count = np.maximum(mask.sum(axis=1, keepdims=True), 1.0)
    mean = (features[:, :, LOG] * mask).sum(axis=1, keepdims=True) / count
    features[:, :, CENTRED] = (features[:, :, LOG] - mean) * mask
    return features, mask.copy()


def featurise(sequences, length=WINDOW):
    """
    The encoder's input for a list of sequences (lists of Python integers):
    features ``(B, length, FEATURES)`` and mask ``(B, length)``, float32.

    EXAMPLES::

        sage: from sage_neural.sequences.index import featurise, FEATURES
        sage: x, mask = featurise([[1, 2, 3], [5]])
        sage: x.shape == (2, 32, FEATURES), mask.sum(axis=1).tolist()
        (True, [3.0, 1.0])
    """
    features = np.stack([local_features(s, length) for s in sequences])
    return finish_features(features)


class IndexMissingError(FileNotFoundError):
    """There is no OEIS index where one was looked for."""


class EncoderFileError(ValueError):
    """The encoder's files are missing, corrupt or of another layout."""


def _sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


class SequenceEncoder:
    """
    The ONNX sequence encoder: :meth:`encode` maps sequences to unit
    vectors (float32 rows).

    INPUT:

    - ``model`` -- (default: the shipped one) the path of the metadata
      ``.json`` file, or of a folder holding ``oeis_encoder.json``
    - ``threads`` -- (default: 1) onnxruntime's intra-op threads
    """

    def __init__(self, model=None, threads=1):
        import onnxruntime as ort

        from ..runtime.model import read_graph, read_metadata

        if model is None:
            meta_path = self.shipped_path()
        else:
            meta_path = pathlib.Path(model)
            if meta_path.is_dir():
                meta_path = meta_path / "oeis_encoder.json"
        how = ("reinstall sage_neural to restore the shipped encoder, or train one "
               "with the command in models/oeis_encoder.md")
        metadata = read_metadata(meta_path, ENCODER_FORMAT, how, EncoderFileError,
                                 noun="encoder")
        if (metadata.get("window") != WINDOW
                or metadata.get("features") != FEATURES):
            raise EncoderFileError(
                f"{meta_path} reads {metadata.get('window')} terms with "
                f"{metadata.get('features')} features each, this package makes "
                f"{WINDOW} with {FEATURES}: {how}")
        data = read_graph(meta_path.parent / metadata["file"], metadata["sha256"], how,
                          EncoderFileError, noun="encoder")

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(data, options,
                                            providers=["CPUExecutionProvider"])
        self.metadata = metadata
        self.dimension = int(metadata["dimension"])
        self.sha256 = metadata["sha256"]
        self.path = meta_path

    @staticmethod
    def shipped_path():
        """The metadata file of the shipped encoder."""
        from ..runtime.model import shipped_models
        return shipped_models() / "oeis_encoder.json"

    def encode(self, sequences, batch=1024):
        """Unit vectors ``(len(sequences), dimension)`` for lists of integers."""
        out = np.empty((len(sequences), self.dimension), dtype=np.float32)
        for start in range(0, len(sequences), batch):
            chunk = sequences[start:start + batch]
            features, mask = featurise(chunk)
            out[start:start + len(chunk)] = self.session.run(
                None, {"features": features, "mask": mask})[0]
        return out


# ---------------------------------------------------------------------------
# The index


def default_index_dir():
    """
    Where the index lives unless told otherwise: ``$SAGE_NEURAL_OEIS_INDEX``
    when set, else ``oeis-index`` in the per-user cache folder
    (``~/.cache/sage_neural`` on Linux).
    """
    if os.environ.get(ENV_VARIABLE):
        return pathlib.Path(os.environ[ENV_VARIABLE])
    try:
        from platformdirs import user_cache_dir
        base = pathlib.Path(user_cache_dir("sage_neural", appauthor=False))
    except ImportError:
        base = pathlib.Path.home() / ".cache" / "sage_neural"
    return base / "oeis-index"


def build_hint(path):
    """How to build the index that was looked for in ``path``."""
    out = "" if pathlib.Path(path) == default_index_dir() else f" --out {path}"
    return ("build one with: python -m sage_neural oeis build --stripped "
            f"stripped.gz --names names.gz{out} (the OEIS's dump files, from "
            "https://oeis.org/stripped.gz and https://oeis.org/names.gz)")


class _Lines:
    """Lines of a text file read by number, through a table of offsets."""

    def __init__(self, path, offsets):
        self.path = path
        self.offsets = offsets
        self._data = None

    def __getitem__(self, i):
        if self._data is None:
            import mmap
            with open(self.path, "rb") as f:
                self._data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        return self._data[self.offsets[i]:self.offsets[i + 1] - 1].decode("utf-8")


def _write_lines(path, lines):
    """Write ``lines`` one a line; returns their offsets (one more than lines)."""
    offsets = [0]
    with open(path, "wb") as f:
        for line in lines:
            data = line.encode("utf-8") + b"\n"
            f.write(data)
            offsets.append(offsets[-1] + len(data))
    return np.array(offsets, dtype=np.int64)


class OEISIndex:
    """
    An index built by :func:`build_index`: ``len(index)`` sequences, their
    A-numbers, terms and names, and a vector search over their encodings.

    INPUT:

    - ``path`` -- (default: :func:`default_index_dir`) the index folder
    - ``encoder`` -- (default: the one the index was built with, if it is
      the shipped one) a :class:`SequenceEncoder`

    Raises :class:`IndexMissingError`, with the command that builds one,
    when there is no index at ``path``.
    """

    def __init__(self, path=None, encoder=None):
        self.path = pathlib.Path(path) if path is not None else default_index_dir()
        meta_path = self.path / "index.json"
        if not meta_path.exists():
            raise IndexMissingError(f"no OEIS index in {self.path}: "
                                    f"{build_hint(self.path)}")
        metadata = json.loads(meta_path.read_text())
        if metadata.get("format") != INDEX_FORMAT:
            raise IndexMissingError(f"{meta_path} is not a {INDEX_FORMAT} file: "
                                    f"{build_hint(self.path)}")
        import faiss

        self.metadata = metadata
        self.vectors = faiss.read_index(str(self.path / "vectors.faiss"))
        self.anumbers = np.load(self.path / "anumbers.npy")
        self.terms_lines = _Lines(self.path / "terms.txt",
                                  np.load(self.path / "terms_offsets.npy"))
        self.names_lines = _Lines(self.path / "names.txt",
                                  np.load(self.path / "names_offsets.npy"))
        if encoder is None:
            encoder = SequenceEncoder(metadata.get("encoder_path"))
        if encoder.sha256 != metadata["encoder_sha256"]:
            raise IndexMissingError(
                f"the index in {self.path} was built with another encoder "
                f"(SHA-256 {metadata['encoder_sha256'][:12]}..., this one is "
                f"{encoder.sha256[:12]}...): rebuild it; {build_hint(self.path)}")
        self.encoder = encoder

    def __len__(self):
        return len(self.anumbers)

    def anumber(self, i):
        """The A-number of entry ``i``."""
        return f"A{int(self.anumbers[i]):06d}"

    def terms_text(self, i):
        """The terms of entry ``i`` as stored: decimal, separated by commas."""
        return self.terms_lines[i]

    def terms(self, i):
        """The terms of entry ``i``, Python integers."""
        return [int(t) for t in self.terms_text(i).split(",")]

    def name(self, i):
        """The OEIS name of entry ``i`` (empty when the names file lacked it)."""
        return self.names_lines[i]

    def search(self, sequences, count, ef_search=None):
        """
        The ``count`` nearest entries of each sequence: ``(similarities,
        entries)``, arrays ``(len(sequences), count)`` (cosine similarity,
        entry numbers; -1 where fewer were found).
        """
        queries = self.encoder.encode(sequences)
        self.vectors.hnsw.efSearch = max(ef_search or 64, count)
        return self.vectors.search(queries, count)


def build_index(stripped, names, out=None, encoder=None, limit=None, progress=True,
                neighbours_per_node=32, ef_construction=80):
    """
    Build an index from the OEIS's ``stripped.gz`` and ``names.gz`` into
    ``out`` (default: :func:`default_index_dir`); returns ``out``.

    ``limit`` keeps the first sequences of the file only (for tests). The
    folder is written under a temporary name and renamed when complete,
    so an interrupted build leaves no half index behind.
    """
    import shutil

    import faiss
    from tqdm import tqdm

    from .oeis import CREDIT, NamesReader, StrippedReader

    out = pathlib.Path(out) if out is not None else default_index_dir()
    encoder = encoder or SequenceEncoder()
    began = time.time()
    names_path, names = names, dict(NamesReader(names))

    # Read and encode in chunks, keeping the terms as text.
    anumbers, terms_text, vectors = [], [], []
    chunk = []

    def flush():
        if chunk:
            vectors.append(encoder.encode([t for t in chunk]))
            chunk.clear()

    reader = StrippedReader(stripped)
    with tqdm(desc="encoding", unit="seq", disable=not progress,
              mininterval=1) as bar:
        for sequence in reader:
            if limit and len(anumbers) >= limit:
                break
            anumbers.append(int(sequence.anumber[1:]))
            terms_text.append(",".join(map(str, sequence.terms)))
            chunk.append(sequence.terms[:WINDOW])
            if len(chunk) == 4096:
                flush()
            bar.update(1)
        flush()
    if not anumbers:
        raise ValueError(f"no sequences read from {stripped}: expected the OEIS's "
                         "stripped.gz")
    matrix = np.concatenate(vectors)

    index = faiss.IndexHNSWFlat(matrix.shape[1], neighbours_per_node,
                                faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_construction
    step = 10_000
    with tqdm(total=len(matrix), desc="indexing", unit="seq",
              disable=not progress) as bar:
        for start in range(0, len(matrix), step):
            index.add(matrix[start:start + step])
            bar.update(min(step, len(matrix) - start))

    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    faiss.write_index(index, str(partial / "vectors.faiss"))
    np.save(partial / "anumbers.npy", np.array(anumbers, dtype=np.int32))
    np.save(partial / "terms_offsets.npy", _write_lines(partial / "terms.txt",
                                                        terms_text))
    names_list = [names.get(f"A{a:06d}", "").replace("\n", " ") for a in anumbers]
    np.save(partial / "names_offsets.npy", _write_lines(partial / "names.txt",
                                                        names_list))
    shipped = encoder.path.resolve() == SequenceEncoder.shipped_path().resolve()
    metadata = {"format": INDEX_FORMAT, "format_version": 1,
                "sequences": len(anumbers), "dimension": int(matrix.shape[1]),
                "encoder_sha256": encoder.sha256,
                "encoder_path": None if shipped else str(encoder.path.resolve()),
                "stripped": str(stripped), "names": str(names_path),
                "hnsw": {"M": neighbours_per_node, "efConstruction": ef_construction},
                "build_seconds": round(time.time() - began, 1),
                "credit": CREDIT}
    (partial / "index.json").write_text(json.dumps(metadata, indent=1) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    partial.rename(out)
    logger.info("built an index of %d sequences in %s", len(anumbers), out)
    return out
