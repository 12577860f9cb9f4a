"""Preprocessing transformers for vibrational spectra."""

from ._resample import WavenumberResampler, common_axis

__all__ = ["WavenumberResampler", "common_axis"]
