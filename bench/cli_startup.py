"""How long the `citations` command takes to start, run by hand (never by the test suite):
`python bench/cli_startup.py [--runs 10] [--exe PATH]`.

Each command line runs as a real process through the installed console script (the one next to
this Python, or --exe), one warm-up run and then --runs timed runs; the table gives the best and
the median wall time of each, next to its target (issue #12: the top-level `--help` and
`--version` under 0.4 s, any subcommand's `--help` under 0.7 s). The machine is shared, so the
best run is the figure to compare; the median shows how noisy the runs were.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOP_LEVEL = 0.4
SUBCOMMAND = 0.7
COMMANDS: list[tuple[list[str], float]] = [
    (["--version"], TOP_LEVEL),
    (["--help"], TOP_LEVEL),
    (["hearings", "--help"], SUBCOMMAND),
    (["hearings", "decide", "--help"], SUBCOMMAND),
    (["issue", "--help"], SUBCOMMAND),
    (["serve", "--help"], SUBCOMMAND),
    (["report", "--help"], SUBCOMMAND),
    (["pay", "--help"], SUBCOMMAND),
    (["demo", "--help"], SUBCOMMAND),
    (["ordinances", "list", "--help"], SUBCOMMAND),
    (["docket", "print", "--help"], SUBCOMMAND),
    (["export", "--help"], SUBCOMMAND),
]


def console_script() -> str:
    """The `citations` script installed beside this interpreter, else the one on PATH."""
    beside = Path(sys.executable).parent / "citations"
    if beside.exists():
        return str(beside)
    found = shutil.which("citations")
    if found is None:
        sys.exit("no `citations` console script: install the project or pass --exe")
    return found


def timed(command: list[str], cwd: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs per command (10)")
    parser.add_argument("--exe", default=None, help="the console script (default: beside Python)")
    args = parser.parse_args()
    exe = args.exe or console_script()
    print(f"{exe}, {args.runs} runs each after one warm-up, on {os.cpu_count()} cores\n")
    print(f"{'command':<40}{'best':>8}{'median':>8}{'target':>8}  met")
    missed = 0
    # An empty folder, so nothing in the current directory (a citations.db...) plays a part.
    with tempfile.TemporaryDirectory() as cwd:
        for arguments, target in COMMANDS:
            command = [exe, *arguments]
            timed(command, cwd)
            times = [timed(command, cwd) for _ in range(args.runs)]
            best, median = min(times), statistics.median(times)
            met = "yes" if best < target else "NO"
            missed += best >= target
            label = "citations " + " ".join(arguments)
            print(f"{label:<40}{best:>7.3f}s{median:>7.3f}s{target:>7.1f}s  {met}")
    if missed:
        print(f"\n{missed} command(s) above their target (best run)")


if __name__ == "__main__":
    main()
