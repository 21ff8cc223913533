"""Trained models shipped with sage_neural (ONNX graphs, metadata and model cards)."""
