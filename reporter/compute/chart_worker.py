"""The process that draws charts while the build goes on (matplotlib's import is 0.4 s).

    python -m reporter.compute.chart_worker PARENT_PID FONTS < jobs.json > svgs.json

Reads {chart id: {"look": …, "data": …}} on stdin and writes {chart id: svg} on stdout. A
plain child process, not a multiprocessing pool: no resource tracker is left behind, and a
caller needs no `if __name__ == "__main__"` guard. On Linux it asks the kernel to kill it
when its parent dies, so a build killed with SIGKILL leaves no worker behind.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
from pathlib import Path

from reporter.compute.charts import ChartData, Look, draw_svg


def die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def main() -> None:
    die_with_parent(int(sys.argv[1]))
    fonts = Path(sys.argv[2])
    jobs = json.load(sys.stdin)
    svgs = {
        key: draw_svg(Look(**job["look"]), ChartData(**job["data"]), fonts)
        for key, job in jobs.items()
    }
    json.dump(svgs, sys.stdout)


if __name__ == "__main__":
    main()
