"""Training of the models (needs the "train" extra: torch, onnx, onnxscript)."""
