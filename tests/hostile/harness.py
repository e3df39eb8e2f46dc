"""Run the real `reporter` command on a hostile project or PDF, in a child process under
resource limits, and check what it did.

`Runner.run(*args, cwd=…, writes=[project])` starts `python -c BOOT args` (reporter.cli.main,
as the `reporter` script does) with

- RLIMIT_AS at the level the session measured (tests/hostile/conftest.py `limits`): what a
  clean `reporter check` reserves plus 2 GiB, RLIMIT_CPU and a wall-clock timeout, no core;
- TMPDIR and HOME private to the run (both must be empty at its end: nothing left behind),
  REPORTER_CACHE_DIR the test's cache, MPLCONFIGDIR the session's (matplotlib's font list);
- tests/hostile/audit first on PYTHONPATH: its sitecustomize records, in every Python process
  of the run, each file opened, listed, written, renamed or removed, each program started and
  each connection, through an audit hook.

`Run.problems()` lists what broke the suite's properties: an exit code outside the documented
set, a signal (an abort is SIGABRT, exit 134), a traceback or any stderr line that is not
`error:`, `warning:` or `note:` (or `… and N more errors`), a line longer than a message can
be, peak resident memory of 1 GiB or more (wait4's ru_maxrss, which covers the children it
waited for), a read or a write outside the allowed folders, a program other than those a
clean run starts, a network connection, a file left in TMPDIR or HOME, and anything the
sentinel saw (a read moves its access time, which C code cannot avoid; a write changes its
folder).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

GiB = 1 << 30
AUDIT = Path(__file__).resolve().parent / "audit"
BOOT = (
    "import os, resource, sys\n"
    "limit = int(os.environ['HOSTILE_RLIMIT_AS'])\n"
    "resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
    "resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
    "cpu = int(os.environ['HOSTILE_RLIMIT_CPU'])\n"
    "resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))\n"
    "from reporter.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)
# A small launcher between the test process and the run: the peak RSS wait4 reports for a
# child includes the memory of the process it was forked from until it exec'd (the test
# process, hundreds of MB), so the run is forked from this one (python -S: ~10 MB) instead,
# which reports the run's rusage and wait status in a file.
LAUNCH = (
    "import json, os, resource, sys\n"
    "resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    os.execv(sys.argv[1], sys.argv[1:])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "with open(os.environ['HOSTILE_RUSAGE'], 'w') as f:\n"
    "    json.dump({'status': status, 'maxrss': usage.ru_maxrss}, f)\n"
)
MAX_KEPT = 1 << 20  # bytes of stdout and stderr kept; the rest is counted
MAX_LINE = 8_100  # reporter's MAX_LINE (8,000) and the "error: " before it
STDERR_PREFIXES = ("error: ", "warning: ", "note: ", "… and ", "reporter: error: ",
                   "reporter build: error: ", "reporter check: error: ",
                   "reporter diff: error: ")  # fmt: skip
# Folders every run may read: the operating system's own data (a hostile input cannot put a
# file there) and what the interpreter and its libraries are made of.
SYSTEM_READS = ("/proc", "/sys", "/dev/null", "/dev/urandom", "/usr/share/fonts",
                "/usr/share/zoneinfo", "/usr/lib", "/usr/lib64", "/lib", "/lib64",
                "/usr/local/share/fonts", "/etc/fonts", "/var/cache/fontconfig",
                "/usr/X11R6/lib/X11/fonts", "/usr/X11/lib/X11/fonts")  # fmt: skip
WRITE_EVENTS = {"os.mkdir", "os.rename", "os.remove", "os.rmdir", "os.symlink", "os.link",
                "os.truncate", "os.chmod", "os.chown", "os.utime", "shutil.copyfile",
                "shutil.copytree", "shutil.move", "shutil.rmtree", "shutil.copymode",
                "shutil.copystat", "tempfile.mkstemp", "tempfile.mkdtemp"}  # fmt: skip
READ_EVENTS = {"os.listdir", "os.scandir"}
RUN_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn"}
NET_EVENTS = ("socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
              "socket.gethostbyname", "http.client.connect", "ftplib.connect",
              "smtplib.connect", "webbrowser.open")  # fmt: skip


def inside(path: str, roots) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


@dataclass
class Allowed:
    """Where a run may read and write, and which programs it may start."""

    reads: set[str] = field(default_factory=set)  # folders (and files) that may be read
    exact: set[str] = field(default_factory=set)  # files a clean run reads elsewhere
    writes: set[str] = field(default_factory=set)
    programs: set[str] = field(default_factory=set)  # basenames

    def __or__(self, other: Allowed) -> Allowed:
        return Allowed(self.reads | other.reads, self.exact | other.exact,
                       self.writes | other.writes, self.programs | other.programs)  # fmt: skip


@dataclass
class Run:
    args: list[str]
    returncode: int
    stdout: bytes
    stderr: bytes
    stdout_size: int
    stderr_size: int
    max_rss: int  # bytes
    seconds: float
    timed_out: bool
    events: list[list]
    left_behind: list[str]  # files in the run's TMPDIR and HOME at its end
    sentinel: list[str]  # what the sentinel saw
    allowed: Allowed
    exits: tuple[int, ...]

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")

    def vm_peak(self) -> int:
        return max((e[2] for e in self.events if e[1] == "exit"), default=0)

    def opened(self, mode: str = "r") -> list[str]:
        """The real paths opened (those relative to a dir_fd left out)."""
        return [e[4] for e in self.events if e[1] == "open" and e[2] == mode and e[4]]

    def outside(self) -> list[str]:
        """Reads and writes outside the allowed folders, programs not allowed, connections."""
        found, allowed = [], self.allowed
        for event in self.events:
            name = event[1]
            if name == "open":
                mode, given, real = event[2], event[3], event[4]
                if real is None:  # relative to a dir_fd (shutil.rmtree): only its name
                    continue
                roots = allowed.writes if mode == "w" else allowed.reads | allowed.writes
                if not (inside(real, roots) or (mode == "r" and real in allowed.exact)):
                    found.append(f"{'write' if mode == 'w' else 'read'} {real} (as {given})")
            elif name in WRITE_EVENTS or name in READ_EVENTS:
                roots = allowed.writes if name in WRITE_EVENTS else allowed.reads | allowed.writes
                for arg in event[2:]:
                    real = arg.get("real") if isinstance(arg, dict) else None
                    if real is not None and not inside(real, roots) and real not in allowed.exact:
                        found.append(f"{name} {real} (as {arg['path']})")
            elif name == "urllib.Request":  # a file: URL is a read; anything else, network
                url = event[2]["path"] if isinstance(event[2], dict) else str(event[2])
                parts = urllib.parse.urlsplit(url)
                path = os.path.normpath(urllib.parse.unquote(parts.path))
                if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                    found.append(f"network: {url}")
                elif not inside(path, allowed.reads | allowed.writes):
                    found.append(f"read {path} (as {url})")
            elif name in RUN_EVENTS:
                program = os.path.basename(str(event[2]).strip("'\""))
                if program not in allowed.programs:
                    found.append(f"ran {event[2:4]}")
            elif name.startswith(NET_EVENTS):
                found.append(f"network: {event[1:]}")
            elif name == "hook-error":
                found.append(f"the audit hook failed: {event[2]}")
        return found

    def problems(self) -> list[str]:
        found = []
        if self.timed_out:
            found.append(f"still running after {self.seconds:.0f} s")
        elif self.returncode < 0:
            found.append(f"killed by {signal.Signals(-self.returncode).name}")
        elif self.returncode not in self.exits:
            found.append(f"exit code {self.returncode}, not one of {self.exits}")
        err = self.err
        if "Traceback" in err or "MemoryError" in err:
            found.append("a traceback on stderr")
        for line in err.splitlines():
            if line.strip() and not line.startswith(STDERR_PREFIXES):
                found.append(f"stderr line that is not a message: {line[:300]!r}")
                break
        longest = max((len(line) for line in err.splitlines()), default=0)
        if longest > MAX_LINE or self.stderr_size > 200_000:
            found.append(f"stderr of {self.stderr_size:,} bytes, a line of {longest:,}")
        if self.stdout_size > 5_000_000:
            found.append(f"stdout of {self.stdout_size:,} bytes")
        if self.max_rss >= GiB:
            found.append(f"peak resident memory {self.max_rss / GiB:.2f} GiB")
        if not any(e[1] == "start" for e in self.events):
            found.append("the audit hook did not start (no record of the process)")
        found += self.outside()
        found += [f"left behind: {p}" for p in self.left_behind]
        found += [f"sentinel {s}" for s in self.sentinel]
        return found

    def __str__(self) -> str:
        return (
            f"reporter {' '.join(self.args)} -> {self.returncode} in {self.seconds:.1f} s, "
            f"{self.max_rss / 2**20:.0f} MiB resident, VmPeak {self.vm_peak() / 2**20:.0f} MiB"
            f"\n--- stderr ({self.stderr_size:,} bytes) ---\n{self.err[:3000]}"
        )


def _drain(stream, kept: list, size: list) -> None:
    while chunk := stream.read(1 << 16):
        size[0] += len(chunk)
        if sum(len(c) for c in kept) < MAX_KEPT:
            kept.append(chunk)


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if not p.is_dir())


@dataclass
class Runner:
    """Runs reporter commands for one test; `base` is a folder of its own."""

    base: Path
    cache: Path  # REPORTER_CACHE_DIR
    matplotlib: Path  # MPLCONFIGDIR: matplotlib's font list, made once by the first chart
    address_space: int
    cpu_seconds: int = 120
    timeout: float = 60.0
    allowed: Allowed = field(default_factory=Allowed)
    sentinel: object = None
    count: int = 0

    def run(
        self, *args: str, cwd: Path | None = None, reads=(), writes=(), exits=(0, 1, 2),
        timeout=None,
    ) -> Run:  # fmt: skip
        """`reporter ARGS` in `cwd` (default: an empty folder of its own: Python lists the
        folder it starts in); it may read `reads` and write `writes` (folders) besides its
        private TMPDIR and HOME and the caches."""
        self.count += 1
        private = self.base / f"run-{self.count}"
        tmp, home = private / "tmp", private / "home"
        tmp.mkdir(parents=True)
        home.mkdir()
        if cwd is None:
            cwd = private / "here"
            cwd.mkdir()
        log = private / "audit.jsonl"
        rusage = private / "rusage.json"
        own = [str(p.resolve()) for p in (tmp, home, self.cache, self.matplotlib, *writes)]
        own.append("/dev/null")
        allowed = self.allowed | Allowed(
            reads={str(Path(p).resolve()) for p in (cwd, *reads)}, writes=set(own)
        )
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "TMPDIR": str(tmp),
            "HOME": str(home),
            "REPORTER_CACHE_DIR": str(self.cache),
            "MPLCONFIGDIR": str(self.matplotlib),
            "PYTHONPATH": str(AUDIT),
            "PYTHONDONTWRITEBYTECODE": "1",
            "HOSTILE_AUDIT_LOG": str(log),
            "HOSTILE_RLIMIT_AS": str(self.address_space),
            "HOSTILE_RLIMIT_CPU": str(self.cpu_seconds),
            "HOSTILE_RUSAGE": str(rusage),
        }
        if self.sentinel is not None:
            self.sentinel.arm()
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-S", "-c", LAUNCH, sys.executable, "-c", BOOT, *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        out, err, out_size, err_size = [], [], [0], [0]
        readers = [
            threading.Thread(target=_drain, args=(process.stdout, out, out_size)),
            threading.Thread(target=_drain, args=(process.stderr, err, err_size)),
        ]
        for reader in readers:
            reader.start()
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(timeout or self.timeout, kill)
        timer.start()
        try:
            process.wait()
        finally:
            timer.cancel()
        with contextlib.suppress(ProcessLookupError):  # its children may still hold the pipes
            os.killpg(process.pid, signal.SIGKILL)
        if rusage.exists():
            measured = json.loads(rusage.read_text())
            returncode = os.waitstatus_to_exitcode(measured["status"])
            max_rss = measured["maxrss"] * 1024
        else:  # the launcher was killed (timeout) before it could say
            returncode, max_rss = process.returncode, 0
        for reader in readers:
            reader.join(10)
        seconds = time.monotonic() - started
        events = [json.loads(line) for line in log.read_text().splitlines() if line.strip()] if (
            log.exists()
        ) else []  # fmt: skip
        left = [f"TMPDIR/{p}" for p in _files(tmp)] + [f"HOME/{p}" for p in _files(home)]
        seen = self.sentinel.changes() if self.sentinel is not None else []
        return Run(list(args), returncode, b"".join(out), b"".join(err), out_size[0],
                   err_size[0], max_rss, seconds, timed_out.is_set(), events, left, seen,
                   allowed, tuple(exits))  # fmt: skip
