"""Loaded by every Python process a hostile-input test starts (this folder is put first on
PYTHONPATH), including the workers reporter starts itself: when HOSTILE_AUDIT_LOG is set,
an audit hook (sys.addaudithook) appends to that file, one JSON line per event, what the
process opens, lists, creates, renames, removes, runs and connects to, with the real path
(symlinks resolved) where it can be known; and at exit its peak virtual and resident memory.

Lines: [pid, "start", argv] | [pid, event, args…] | [pid, "open", "r" or "w", path, real]
| [pid, "exit", VmPeak bytes, VmHWM bytes]. `real` is null for a path relative to a folder
given by descriptor (dir_fd, as shutil.rmtree uses), which cannot be resolved here.

C code (DuckDB, pdfium, calamine, fontconfig) opens files without an audit event: the
sentinel's access time (tests/hostile/conftest.py) sees those reads."""

import json
import os
import sys

_LOG = os.environ.get("HOSTILE_AUDIT_LOG")
# the argument that is a dir_fd, by event: a path relative to it cannot be resolved
_DIR_FD = {"os.mkdir": (2,), "os.remove": (1,), "os.rmdir": (1,), "os.rename": (2, 3),
           "os.link": (2, 3), "os.symlink": (2,), "os.utime": (3,), "os.chmod": (2,),
           "os.chown": (3,), "shutil.rmtree": (1,)}  # fmt: skip
_WATCHED = ("open", "os.", "shutil.", "subprocess.", "socket.", "tempfile.", "urllib.",
            "http.", "ftplib.", "smtplib.", "ctypes.dlopen", "sqlite3.connect",
            "webbrowser.")  # fmt: skip
_QUIET = {"os.putenv", "os.unsetenv", "os.fork", "os.getxattr", "os.listxattr", "os.walk"}


def _install(log: str) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    busy = []

    def write(record: list) -> None:
        os.write(fd, (json.dumps(record, default=repr) + "\n").encode("utf-8", "replace"))

    def path_of(value) -> str | None:
        if isinstance(value, (str, bytes, os.PathLike)):
            try:
                return os.fsdecode(value)
            except (TypeError, ValueError):
                return None
        return None

    def real(path: str, relative_to_fd: bool) -> str | None:
        if relative_to_fd and not os.path.isabs(path):
            return None
        try:
            return os.path.realpath(path)
        except (OSError, ValueError):
            return path

    def hook(event: str, args: tuple) -> None:
        if busy or not event.startswith(_WATCHED) or event in _QUIET:
            return
        busy.append(1)
        try:
            if event == "open":
                path = path_of(args[0])
                if path is None:
                    return  # a descriptor
                mode, flags = args[1], args[2] or 0
                writes = (
                    any(c in mode for c in "wax+")
                    if isinstance(mode, str)
                    else bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC))
                )
                # os.open (mode None) is how shutil.rmtree opens names relative to a dir_fd
                write([os.getpid(), "open", "w" if writes else "r", path,
                       real(path, mode is None)])  # fmt: skip
                return
            fds = _DIR_FD.get(event, ())
            relative = any(i < len(args) and args[i] not in (None, -1) for i in fds)
            record: list = [os.getpid(), event]
            for value in args:
                path = path_of(value)
                if path is not None and event not in ("subprocess.Popen", "os.exec"):
                    record.append({"path": path, "real": real(path, relative)})
                else:
                    record.append(value if isinstance(value, (int, float, type(None))) else
                                  repr(value)[:300])  # fmt: skip
            write(record)
        except Exception as exc:  # noqa: BLE001 - never break the process audited
            write([os.getpid(), "hook-error", repr(exc)])
        finally:
            busy.pop()

    def at_exit() -> None:
        sizes = {}
        try:
            with open("/proc/self/status") as status:
                for line in status:
                    name, _, value = line.partition(":")
                    if name in ("VmPeak", "VmHWM"):
                        sizes[name] = int(value.split()[0]) * 1024
        except OSError:
            pass
        write([os.getpid(), "exit", sizes.get("VmPeak", 0), sizes.get("VmHWM", 0)])

    import atexit

    atexit.register(at_exit)
    write([os.getpid(), "start", sys.argv])
    sys.addaudithook(hook)


if _LOG:
    _install(_LOG)
