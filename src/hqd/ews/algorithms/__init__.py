"""Registry of early-warning algorithms (name → pure function over count arrays) so add-ons plug in alike.

Every entry is called as ``fn(counts, dates=None, freq=52, range=None, control=None)`` where counts is
a float array (n,) or (n, series), range holds 1-based time indices and control uses the key names of
R surveillance's control lists; it returns an :class:`EwsResult` (upperbound / alarm, NaN = R's NA).
"""

from __future__ import annotations

from collections.abc import Callable

from ._common import EwsParameterError, EwsResult
from .ears import earsC1, earsC2, earsC3
from .farrington import farrington
from .farrington_flexible import farringtonFlexible
from .fixed import fixed
from .mpm import mpm

Algorithm = Callable[..., EwsResult]

REGISTRY: dict[str, Algorithm] = {
    "fixed": fixed,
    "mpm": mpm,
    "earsC1": earsC1,
    "earsC2": earsC2,
    "earsC3": earsC3,
    "farrington": farrington,
    "farringtonFlexible": farringtonFlexible,
}


def register(name: str, fn: Algorithm) -> None:
    """Add an algorithm under a new name; refusing overwrites keeps the R-validated ones intact."""
    if name in REGISTRY:
        raise EwsParameterError(f"算法名 {name} 已被注册；algorithm name {name} is already registered")
    REGISTRY[name] = fn


__all__ = ["REGISTRY", "Algorithm", "EwsParameterError", "EwsResult", "register"]
