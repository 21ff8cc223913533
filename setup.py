"""
Build and install sage_neural.

The only compiled part is the Sage-free token codec in ``native/``; it needs
Cython and numpy at build time (see ``pyproject.toml``). Sage itself is not a
hard requirement, so that ``sage -pip install .`` inside a full Sage does not
pull in a second copy: a plain Python gets it from the ``passagemath`` extra.
"""

import numpy
from Cython.Build import cythonize
from setuptools import Extension, find_packages, setup

extensions = [
    Extension(
        "sage_neural._native",
        ["native/_native.pyx"],
        include_dirs=[numpy.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    )
]

PASSAGEMATH = [
    "passagemath-symbolics",
    "passagemath-maxima",
    "passagemath-giac",
    "passagemath-repl",
]

setup(
    name="sage_neural",
    version="0.1.0",
    description="Neural guesses, verified by Sage: integration, sequences, OEIS",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="GPL-2.0-or-later",
    python_requires=">=3.10",
    # The trained models live in models/ at the top of the repository and
    # are installed as the package sage_neural.models.
    packages=find_packages(include=["sage_neural", "sage_neural.*"]) + ["sage_neural.models"],
    package_dir={"sage_neural.models": "models"},
    package_data={"sage_neural.models": ["*.onnx", "*.json", "*.md"]},
    ext_modules=cythonize(extensions, language_level=3),
    install_requires=[
        "dask[distributed]>=2024.1",
        # vector search behind oeis_neighbours (HNSW, CPU wheels)
        "faiss-cpu>=1.8",
        "numpy>=1.25",
        "onnxruntime>=1.17",
        "platformdirs>=3",
        "sympy>=1.12",
        "tqdm>=4.60",
    ],
    extras_require={
        "passagemath": PASSAGEMATH,
        "plot": ["matplotlib>=3.7"],
        "test": ["pytest>=7", "hypothesis>=6.80", "nbclient", "nbformat",
                 "matplotlib>=3.7"],
        "train": ["torch==2.13.0", "onnx", "onnxscript"],
    },
    zip_safe=False,
)
