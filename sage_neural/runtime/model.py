"""
Loading exported models into onnxruntime sessions.

A model is a metadata file ``NAME.json`` beside its ONNX graphs (see
``sage_neural.training.export``). Loading checks the format, the vocabulary
fingerprint and the SHA-256 of every graph, so that a missing, truncated or
mismatched file gives a clear error naming the file instead of wrong output.
"""

import hashlib
import json
import logging
import pathlib
import warnings

from ..tokens import language

logger = logging.getLogger(__name__)


def shipped_models():
    """The folder of the models shipped with the package."""
    from importlib.resources import files
    return pathlib.Path(str(files("sage_neural.models")))


FORMAT = "sage_neural-seq2seq"


class ModelFileError(ValueError):
    """A model file is missing, corrupt or made for another vocabulary."""


def _how_to_get(name):
    return (f"reinstall sage_neural to restore the shipped models, or rebuild "
            f"it with the command in models/{name}.md")


def read_metadata(meta_path, expected_format, how, error=None, noun="model"):
    """
    The JSON metadata of a model file, or ``error`` (default
    :class:`ModelFileError`) naming the file and ``how`` to get a good one
    when it is missing, unreadable or of another format.
    """
    error = error or ModelFileError
    if not meta_path.exists():
        raise error(f"{noun} file {meta_path} is missing: {how}")
    try:
        metadata = json.loads(meta_path.read_text())
    except (OSError, ValueError) as reason:
        raise error(f"{noun} file {meta_path} is corrupt ({reason}): {how}") from None
    if metadata.get("format") != expected_format:
        raise error(f"{meta_path} is not a {expected_format} file")
    return metadata


def read_graph(path, sha256, how, error=None, noun="model"):
    """The bytes of an ONNX graph whose SHA-256 must be ``sha256``."""
    error = error or ModelFileError
    if not path.exists():
        raise error(f"{noun} file {path} is missing: {how}")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise error(f"{noun} file {path} is corrupt (checksum mismatch): {how}")
    return data


def resolve(model):
    """The metadata path of ``model``: a shipped name, a ``.json`` path or a folder."""
    path = pathlib.Path(model)
    if path.suffix == ".json":
        return path
    if path.is_dir():
        found = sorted(path.glob("*.json"))
        if len(found) != 1:
            raise ModelFileError(f"expected one model .json file in {path}, found {len(found)}")
        return found[0]
    return shipped_models() / f"{model}.json"


def choose_providers(device="auto"):
    """
    onnxruntime execution providers for ``device``: ``"cpu"``, ``"cuda"`` or
    ``"auto"`` (CUDA when onnxruntime-gpu sees a GPU, else the CPU).
    """
    import onnxruntime as ort

    available = ort.get_available_providers()
    if device == "cpu":
        return ["CPUExecutionProvider"]
    if "CUDAExecutionProvider" in available:
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    if device == "cuda":
        warnings.warn("the GPU was asked for, but onnxruntime has no CUDA provider "
                      "here (install onnxruntime-gpu): running on the CPU")
    elif device != "auto":
        raise ValueError(f"unknown device {device!r}: expected 'auto', 'cpu' or 'cuda'")
    return ["CPUExecutionProvider"]


class OnnxSeq2Seq:
    """
    The three sessions of an exported model: ``encoder``, ``decoder_step``
    (cached) and ``decoder`` (uncached reference), with the model's
    configuration in ``config`` and the provider that runs in ``provider``.
    """

    def __init__(self, model, device="auto", threads=0):
        import onnxruntime as ort

        meta_path = resolve(model)
        name = meta_path.stem
        metadata = read_metadata(meta_path, FORMAT, _how_to_get(name))
        # Models from before token languages were named are integration ones.
        try:
            self.language = language(metadata.get("language", "integration"))
        except ValueError as error:
            raise ModelFileError(f"{meta_path}: {error}") from None
        expected = self.language.fingerprint()
        if metadata.get("vocabulary") != expected:
            raise ModelFileError(
                f"{meta_path} was trained with vocabulary {metadata.get('vocabulary')}, "
                f"this package has {expected}: {_how_to_get(name)}")
        self.codec = self.language.codec()
        self.metadata, self.config = metadata, metadata["model"]

        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3
        providers = choose_providers(device)
        self.sessions = {}
        for part, file_name in metadata["files"].items():
            data = read_graph(meta_path.parent / file_name, metadata["sha256"][part],
                              _how_to_get(name))
            self.sessions[part] = ort.InferenceSession(data, options, providers=providers)
        self.provider = self.sessions["decoder_step"].get_providers()[0]
        logger.info("loaded %s on %s", meta_path, self.provider)

    def encode(self, source, source_mask):
        return self.sessions["encoder"].run(
            None, {"source": source, "source_mask": source_mask})

    def step(self, token, position, past_k, past_v, cross_k, cross_v, cross_mask):
        import numpy as np
        return self.sessions["decoder_step"].run(None, {
            "token": token, "position": np.array(position, dtype=np.int64),
            "past_k": past_k, "past_v": past_v, "cross_k": cross_k,
            "cross_v": cross_v, "cross_mask": cross_mask})

    def decode(self, target, cross_k, cross_v, cross_mask):
        return self.sessions["decoder"].run(None, {
            "target": target, "cross_k": cross_k, "cross_v": cross_v,
            "cross_mask": cross_mask})[0]
