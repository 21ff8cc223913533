"""ONNX sessions, provider choice and beam search; needs only onnxruntime and numpy."""
