"""Run every benchmark (``python -m bench [NAME...]``), each in a fresh process.

Each ``bench/<name>.py`` prints its figures, including the ratio against the baseline it
measured in the same run; this runner only sequences them and reports failures.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    names = argv or sorted(p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_"))
    failed = []
    for name in names:
        script = HERE / f"{name}.py"
        if not script.is_file():
            print(f"bench: no benchmark named {name!r}", file=sys.stderr)
            return 2
        print(f"== bench/{name}.py", flush=True)
        if subprocess.run([sys.executable, str(script)], check=False).returncode != 0:
            failed.append(name)
    if failed:
        print(f"bench: failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
