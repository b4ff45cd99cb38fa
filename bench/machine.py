"""What machine a benchmark ran on (recorded with every figure)."""

from __future__ import annotations

import os
import platform
import sys


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpu}; nproc {nproc}; Python {platform.python_version()} ({sys.platform})"
