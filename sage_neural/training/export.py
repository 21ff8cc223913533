"""
Export a trained integration model to ONNX, for the runtime.

    python -m sage_neural.training.export CHECKPOINT OUT_DIR [--name NAME]

Writes three graphs and a metadata file into ``OUT_DIR``:

- ``NAME.encoder.onnx``: source ids and mask -> cross-attention keys and
  values of every decoder layer, and the additive source mask;
- ``NAME.decoder_step.onnx``: one decoding step with a key/value cache;
- ``NAME.decoder.onnx``: the uncached decoder over a whole target prefix, the
  correctness reference for the cached one;
- ``NAME.json``: the model configuration, the vocabulary fingerprint, and the
  SHA-256 of each graph, checked when the runtime loads the model.
"""

import argparse
import hashlib
import json
import pathlib
import sys

import torch

from ..tokens import language
from .model import ModelConfig, Seq2Seq


class _Encoder(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, source, source_mask):
        return self.model.encode(source, source_mask)


class _DecoderStep(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, token, position, past_k, past_v, cross_k, cross_v, cross_mask):
        return self.model.decode_step(token, position, past_k, past_v,
                                      cross_k, cross_v, cross_mask)


class _Decoder(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, target, cross_k, cross_v, cross_mask):
        return self.model.decode(target, cross_k, cross_v, cross_mask)


def load_checkpoint(path):
    state = torch.load(path, map_location="cpu", weights_only=False)
    # Checkpoints from before token languages were named are integration ones.
    name = state.get("language", "integration")
    expected = language(name).fingerprint()
    if state.get("vocabulary") != expected:
        raise ValueError(
            f"{path} was trained with vocabulary {state.get('vocabulary')}, this "
            f"package has {expected}")
    model = Seq2Seq(ModelConfig(**state["model_config"]), name)
    model.load_state_dict(state["model"])
    model.eval()
    return model, state


def example_inputs(model, batch=2, source_len=7, past=3):
    c = model.config
    source = torch.randint(3, c.vocab_size, (batch, source_len))
    mask = torch.ones(batch, source_len, dtype=torch.long)
    with torch.no_grad():
        cross_k, cross_v, cross_mask = model.encode(source, mask)
    shape = (c.decoder_layers, batch, c.heads, past, c.d_model // c.heads)
    return source, mask, cross_k, cross_v, cross_mask, torch.zeros(shape), torch.zeros(shape)


def _sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def export(model, out_dir, name, extra=None):
    """Write the three graphs and the metadata; returns the metadata path."""
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.eval()
    source, mask, cross_k, cross_v, cross_mask, past_k, past_v = example_inputs(model)
    files = {"encoder": f"{name}.encoder.onnx",
             "decoder_step": f"{name}.decoder_step.onnx",
             "decoder": f"{name}.decoder.onnx"}
    kv_axes = {1: "batch", 3: "source"}
    common = dict(opset_version=17, dynamo=False)
    torch.onnx.export(
        _Encoder(model), (source, mask), out / files["encoder"],
        input_names=["source", "source_mask"],
        output_names=["cross_k", "cross_v", "cross_mask"],
        dynamic_axes={"source": {0: "batch", 1: "source"},
                      "source_mask": {0: "batch", 1: "source"},
                      "cross_k": kv_axes, "cross_v": kv_axes,
                      "cross_mask": {0: "batch", 3: "source"}}, **common)
    token = torch.zeros(source.shape[0], 1, dtype=torch.long)
    past_axes = {1: "batch", 3: "past"}
    torch.onnx.export(
        _DecoderStep(model),
        (token, torch.tensor(3), past_k, past_v, cross_k, cross_v, cross_mask),
        out / files["decoder_step"],
        input_names=["token", "position", "past_k", "past_v", "cross_k", "cross_v",
                     "cross_mask"],
        output_names=["logits", "new_k", "new_v"],
        dynamic_axes={"token": {0: "batch"}, "past_k": past_axes, "past_v": past_axes,
                      "cross_k": kv_axes, "cross_v": kv_axes,
                      "cross_mask": {0: "batch", 3: "source"}, "logits": {0: "batch"},
                      "new_k": {1: "batch", 3: "total"}, "new_v": {1: "batch", 3: "total"}},
        **common)
    target = torch.zeros(source.shape[0], 4, dtype=torch.long)
    torch.onnx.export(
        _Decoder(model), (target, cross_k, cross_v, cross_mask), out / files["decoder"],
        input_names=["target", "cross_k", "cross_v", "cross_mask"],
        output_names=["logits"],
        dynamic_axes={"target": {0: "batch", 1: "target"}, "cross_k": kv_axes,
                      "cross_v": kv_axes, "cross_mask": {0: "batch", 3: "source"},
                      "logits": {0: "batch", 1: "target"}}, **common)

    metadata = {"format": "sage_neural-seq2seq", "format_version": 1,
                "language": model.language,
                "vocabulary": language(model.language).fingerprint(),
                "model": model.config.to_dict(), "files": files,
                "sha256": {k: _sha256(out / f) for k, f in files.items()}}
    metadata.update(extra or {})
    meta_path = out / f"{name}.json"
    meta_path.write_text(json.dumps(metadata, indent=1, sort_keys=True) + "\n")
    return meta_path


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sage_neural.training.export",
                                     description="export a checkpoint to ONNX")
    parser.add_argument("checkpoint")
    parser.add_argument("out_dir")
    parser.add_argument("--name", default="integration")
    args = parser.parse_args(argv)
    model, state = load_checkpoint(args.checkpoint)
    data = state["config"]["data"]
    path = export(model, args.out_dir, args.name,
                  {"trained_steps": state["step"], "trained_pairs": state["seen"],
                   # Longest integrand (with its end token) and answer (with
                   # start and end tokens) seen in training.
                   "max_source_len": data["max_source_len"],
                   "max_target_len": data["max_target_len"]})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
