"""dlnotes: the companion package of the *dlnotes* book.

The package is organised by subject, one module each:

- :mod:`dlnotes.devices` -- pick a device, describe it, seed every generator;
- :mod:`dlnotes.tensors` -- storage, offsets, strides, broadcasting, memory pictures;
- :mod:`dlnotes.autograd` -- a from-scratch reverse-mode engine, dual numbers, numerical checks;
- :mod:`dlnotes.graphs` -- draw computation graphs without graphviz;
- :mod:`dlnotes.probability` -- dice and running estimates;
- :mod:`dlnotes.data` -- synthetic data, loaders, CSV preprocessing;
- :mod:`dlnotes.training` -- ``train_epoch``, ``evaluate``, ``fit``, ``History``, ``Timer``;
- :mod:`dlnotes.plotting` -- ``plot`` and figure-size helpers.

Importing :mod:`dlnotes` imports torch but never matplotlib, pandas, networkx or
IPython: the modules that draw load them only when a drawing function is called.
"""

from __future__ import annotations

from dlnotes import (
    autograd,
    data,
    devices,
    graphs,
    plotting,
    probability,
    tensors,
    training,
)

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "autograd",
    "data",
    "devices",
    "graphs",
    "plotting",
    "probability",
    "tensors",
    "training",
]
