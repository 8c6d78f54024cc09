"""The consoles every command prints to: wide enough for Chinese tables when the output is piped or logged."""

from __future__ import annotations

import sys

from rich.console import Console

console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)
