"""Small file-system helpers shared by the stages."""

from __future__ import annotations

import os


def pid_alive(pid: int) -> bool:
    """Whether a process runs (a file named after a dead one is an orphan to remove)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    return True
