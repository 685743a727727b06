"""The papers' experiments as functions returning tables (lists of dicts)."""

from .dinh_xin import format_rows, rvsm_tradeoff

__all__ = ["format_rows", "rvsm_tradeoff"]
