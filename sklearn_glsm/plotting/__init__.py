"""Plots of GLSM fits (matplotlib, optional). For confusion matrices use
:class:`sklearn.metrics.ConfusionMatrixDisplay`."""

from ._plot import plot_embedding, plot_history, plot_reconstruction, plot_views

__all__ = ["plot_embedding", "plot_history", "plot_reconstruction", "plot_views"]
