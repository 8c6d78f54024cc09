"""`make bench`: run every benchmark script in bench/*/ in turn; each prints its own table and ratios."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    scripts = sorted(HERE.glob("*/bench_*.py"))
    failed = []
    for script in scripts:
        print(f"\n=== {script.relative_to(HERE)} ===", flush=True)
        if subprocess.run([sys.executable, str(script)]).returncode != 0:
            failed.append(script.name)
    sys.exit(1 if failed else 0)
