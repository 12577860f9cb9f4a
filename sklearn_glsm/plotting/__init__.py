"""Figures of GLSM fits: training curves, views, reconstructions, embeddings and
confusion matrices.

matplotlib is an optional dependency (``pip install "sklearn-glsm[plots]"``); it is
imported when a function is called. Every function draws on the ``ax`` it is
given, or on a new figure, and returns the axes.
"""

from ._plot import (
    plot_confusion_matrix,
    plot_embedding,
    plot_history,
    plot_reconstruction,
    plot_views,
)

__all__ = [
    "plot_confusion_matrix",
    "plot_embedding",
    "plot_history",
    "plot_reconstruction",
    "plot_views",
]
