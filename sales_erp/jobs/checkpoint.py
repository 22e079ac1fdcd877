"""A pause point inside a job, for the crash-safety tests (tests/ops/test_crash_safety.py).

With ERP_JOB_PAUSE=<job>:<n> in the environment, the n-th `job_checkpoint("<job>")` of this process writes
the file ERP_JOB_PAUSE_FILE and sleeps, so the test can SIGKILL the job at a known point half-way through
its writes. Without the variable (always, outside that test) a checkpoint is one dictionary lookup.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

_reached: Counter[str] = Counter()


def job_checkpoint(name: str) -> None:
    pause = os.environ.get("ERP_JOB_PAUSE")
    if not pause:
        return
    job, _, n = pause.partition(":")
    if job != name:
        return
    _reached[name] += 1
    if _reached[name] == int(n or 1):
        Path(os.environ["ERP_JOB_PAUSE_FILE"]).write_text(f"{name}:{_reached[name]}")
        while True:  # until killed
            time.sleep(1)
