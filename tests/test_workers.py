"""reporter/workers.py: the same outcomes here, in warm local workers and on a Dask cluster; a
failing task never stops the others; a worker that dies does not lose its task (twice: the
task fails); workers stay warm and never outlive run_tasks, Ctrl-C, or a killed parent; a
script needs no `__main__` guard. The task functions live in tests/workers_tasks.py, which
the workers import by name."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from reporter import workers
from reporter.errors import ReportError, UsageError
from reporter.workers import Outcome, run_tasks
from tests import workers_tasks as tasks

ROOT = Path(__file__).resolve().parent.parent
# a Dask scheduler's HTTP server moves off 8787 when another cluster of the machine has it
pytestmark = pytest.mark.filterwarnings("ignore:Port 8787 is already in use:UserWarning")
WARM = "tests.workers_tasks"
MIXED = {  # (fn, args) by key, in an order that is not sorted
    "b": (tasks.square, (2,)),
    "a": (tasks.square, (1,)),
    "report": (tasks.fail_with_report, ("fr",)),
    "bug": (tasks.fail_with_bug, (7,)),
    "c": (tasks.square, (3,)),
}
EXPECTED = {
    "b": Outcome("b", True, {"n": 2, "square": 4}),
    "a": Outcome("a", True, {"n": 1, "square": 1}),
    "report": Outcome(
        "report", False, error="fr.yaml:3:5: no such column (check the CSV)\na second problem"
    ),
    "bug": Outcome("bug", False, error="ValueError: bad value 7"),
    "c": Outcome("c", True, {"n": 3, "square": 9}),
}


def alive(pid: int) -> bool:
    """True while the process runs (a zombie counts as gone: it runs nothing)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def spawned_children() -> set[int]:
    """Spawned processes of this one still running: workers (the resource tracker aside)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except (FileNotFoundError, NotADirectoryError, PermissionError, ProcessLookupError):
            continue
        parent = int(stat.rpartition(")")[2].split()[1])
        if parent == os.getpid() and b"spawn_main" in command and alive(int(entry.name)):
            found.add(int(entry.name))
    return found


def wait_for(predicate, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def leaves_no_worker():
    """No worker of run_tasks is left when the test ends (the Dask cluster's are older)."""
    before = spawned_children()
    yield
    assert spawned_children() <= before


@pytest.fixture(scope="module")
def dask_scheduler():
    """A Dask cluster on loopback (2 worker processes), where a task may kill 1 worker:
    its second death is a KilledWorker, as with the local workers."""
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
    ):  # fmt: skip
        yield cluster.scheduler_address


def test_outcomes_are_the_same_here_in_local_workers_and_on_dask(dask_scheduler):
    mixed = {key: (fn, *args) for key, (fn, args) in MIXED.items()}
    before = spawned_children()
    here = run_tasks(tasks.dispatch, mixed, jobs=1)
    assert here == EXPECTED
    assert list(here) == list(MIXED)  # the order of the tasks, not of completion
    local = run_tasks(tasks.dispatch, mixed, jobs=2, warm=WARM)
    assert local == EXPECTED
    assert list(local) == list(MIXED)
    assert spawned_children() == before
    on_dask = run_tasks(tasks.dispatch, mixed, scheduler=dask_scheduler, warm=WARM)
    assert on_dask == EXPECTED
    assert list(on_dask) == list(MIXED)


def test_jobs_1_runs_in_this_process(leaves_no_worker):
    outcomes = run_tasks(tasks.whoami, {"a": (1,), "b": (2,)}, jobs=1)
    assert {o.value[0] for o in outcomes.values()} == {os.getpid()}


def test_workers_stay_warm_and_none_outlives_the_run(leaves_no_worker):
    outcomes = run_tasks(tasks.whoami, {f"t{i}": (i,) for i in range(8)}, jobs=2, warm=WARM)
    assert all(o.ok for o in outcomes.values())
    by_pid: dict[int, list[tuple[int, float]]] = {}
    for pid, calls, imported_at in (o.value for o in outcomes.values()):
        by_pid.setdefault(pid, []).append((calls, imported_at))
    assert 1 <= len(by_pid) <= 2 and os.getpid() not in by_pid
    for runs in by_pid.values():
        assert sorted(calls for calls, _ in runs) == list(range(1, len(runs) + 1))
        assert len({imported for _, imported in runs}) == 1  # imported once per worker
    assert not any(alive(pid) for pid in by_pid)


def test_a_task_whose_worker_dies_once_is_run_again(tmp_path, leaves_no_worker):
    marker = tmp_path / "ran"
    work = {"killer": (str(marker), 5)} | {f"t{i}": (str(tmp_path / "never"), i) for i in range(3)}
    (tmp_path / "never").write_text("")  # these never kill
    outcomes = run_tasks(tasks.kill_once, work, jobs=2)
    assert outcomes["killer"] == Outcome("killer", True, {"n": 5, "square": 25})
    assert all(o.ok for o in outcomes.values())
    assert not alive(int(marker.read_text()))  # the first worker did die


def test_a_task_whose_worker_always_dies_fails_after_two_tries(tmp_path, leaves_no_worker):
    mixed = {"a": (tasks.square, 1), "killer": (tasks.kill_always, str(tmp_path))}
    mixed |= {f"t{i}": (tasks.square, i) for i in range(4)}
    outcomes = run_tasks(tasks.dispatch, mixed, jobs=2)
    assert outcomes["killer"] == Outcome(
        "killer", False, error="the worker died twice while building it (killed by SIGKILL)"
    )
    assert len(list(tmp_path.glob("*.try"))) == 2
    assert [key for key, o in outcomes.items() if o.ok] == ["a", "t0", "t1", "t2", "t3"]


def test_a_worker_that_exits_is_a_death_too(leaves_no_worker):
    outcomes = run_tasks(
        tasks.dispatch, {"x": (tasks.exit_at_once, 3), "a": (tasks.square, 1)}, jobs=2
    )
    assert outcomes["x"].error == "the worker died twice while building it (exit code 3)"
    assert outcomes["a"].ok


def test_ctrl_c_stops_every_worker(tmp_path, leaves_no_worker):
    def interrupt_when_both_run():
        wait_for(lambda: len(list(tmp_path.glob("*.pid"))) == 2)
        os.kill(os.getpid(), signal.SIGINT)  # as a Ctrl-C does

    threading.Thread(target=interrupt_when_both_run, daemon=True).start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run_tasks(tasks.sleep_long, {f"t{i}": (str(tmp_path), i) for i in range(4)}, jobs=2)
    assert time.monotonic() - started < 10
    pids = [int(p.stem) for p in tmp_path.glob("*.pid")]
    assert len(pids) == 2 and not any(alive(pid) for pid in pids)
    # asked to stop (SIGTERM), the tasks cleaned up and their workers ended without a SIGKILL
    assert sorted(int(p.stem) for p in tmp_path.glob("*.cleaned")) == sorted(pids)


def run_python(tmp_path: Path, code: str, script: bool) -> subprocess.Popen:
    """`python -c CODE` or `python SCRIPT` (no `__main__` guard in either), from tmp_path."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    if script:
        (tmp_path / "script.py").write_text(code)
        command = [sys.executable, str(tmp_path / "script.py")]
    else:
        command = [sys.executable, "-c", code]
    return subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.parametrize("script", [False, True], ids=["python -c", "script without guard"])
def test_a_caller_needs_no_main_guard(tmp_path, script):
    code = textwrap.dedent("""\
        print("the caller's module ran")
        from reporter.workers import run_tasks
        from tests.workers_tasks import square
        outcomes = run_tasks(square, {str(n): (n,) for n in range(4)}, jobs=2)
        print(sorted(o.value["square"] for o in outcomes.values()))
    """)
    out, err = run_python(tmp_path, code, script).communicate(timeout=60)
    assert out.splitlines() == ["the caller's module ran", "[0, 1, 4, 9]"], err


def test_workers_die_with_a_killed_parent(tmp_path):
    code = textwrap.dedent(f"""\
        from reporter.workers import run_tasks
        from tests.workers_tasks import sleep_long
        run_tasks(sleep_long, {{str(n): ({str(tmp_path)!r}, n) for n in range(4)}}, jobs=2)
    """)
    parent = run_python(tmp_path, code, script=False)
    try:
        wait_for(lambda: len(list(tmp_path.glob("*.pid"))) == 2)
    finally:
        parent.kill()
        parent.communicate()
    pids = [int(p.stem) for p in tmp_path.glob("*.pid")]
    wait_for(lambda: not any(alive(pid) for pid in pids), seconds=5)


def test_what_cannot_cross_to_a_worker_or_back_fails_that_task_only(leaves_no_worker):
    mixed = {
        "result": (tasks.unpicklable_result, 1),
        "argument": (tasks.square, threading.Lock()),
        "a": (tasks.square, 1),
    }
    outcomes = run_tasks(tasks.dispatch, mixed, jobs=2)
    assert outcomes["a"].ok
    assert not outcomes["result"].ok and "pickle" in outcomes["result"].error
    assert not outcomes["argument"].ok and "pickle" in outcomes["argument"].error


def test_a_task_function_the_workers_cannot_import_is_refused():
    with pytest.raises(ValueError, match="top-level function"):
        run_tasks(lambda n: n, {"a": (1,)}, jobs=2)
    assert run_tasks(lambda n: n, {"a": (1,)}) == {"a": Outcome("a", True, 1)}  # here: fine


def test_a_module_that_cannot_be_warmed_fails_each_task():
    outcomes = run_tasks(tasks.square, {"a": (1,), "b": (2,)}, jobs=2, warm="no_such_module")
    error = "the worker could not import no_such_module: ModuleNotFoundError: No module named"
    assert all(not o.ok and o.error.startswith(error) for o in outcomes.values())


def test_jobs_must_be_positive_and_no_tasks_is_no_work(leaves_no_worker):
    with pytest.raises(UsageError, match="--jobs must be at least 1, not 0"):
        run_tasks(tasks.square, {"a": (1,)}, jobs=0)
    assert run_tasks(tasks.square, {}, jobs=4) == {}


def test_progress_shows_done_failed_and_left_only_when_asked(capsys):
    mixed = {"a": (tasks.square, 1), "bug": (tasks.fail_with_bug, 2), "c": (tasks.square, 3)}
    run_tasks(tasks.dispatch, mixed, progress=True)
    err = capsys.readouterr().err
    assert "0/3 done, 0 failed, 3 left" in err
    assert "3/3 done, 1 failed, 0 left" in err
    run_tasks(tasks.dispatch, mixed, progress=False)
    assert capsys.readouterr().err == ""


def test_on_dask_a_dead_worker_is_retried_and_a_second_death_fails(dask_scheduler, tmp_path):
    # one run each: a worker's death counts against every task the scheduler had given it
    once = run_tasks(
        tasks.kill_once, {"once": (str(tmp_path / "ran"), 4)}, scheduler=dask_scheduler
    )
    assert once == {"once": Outcome("once", True, {"n": 4, "square": 16})}
    always = run_tasks(tasks.kill_always, {"always": (str(tmp_path),)}, scheduler=dask_scheduler)
    assert always == {"always": Outcome(
        "always", False, error="the worker died 2 times while building it (Dask: KilledWorker)"
    )}  # fmt: skip
    assert len(list(tmp_path.glob("*.try"))) == 2


def test_an_unreachable_scheduler_is_one_error(monkeypatch):
    monkeypatch.setattr(workers, "CONNECT_TIMEOUT", "0.5s")
    with pytest.raises(ReportError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        run_tasks(tasks.square, {"a": (1,)}, scheduler="tcp://127.0.0.1:9")


def test_a_scheduler_without_workers_is_one_error(monkeypatch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(workers, "CONNECT_TIMEOUT", "0.5s")
    with (
        distributed.LocalCluster(
            n_workers=0, processes=True, dashboard_address=None, host="127.0.0.1"
        ) as cluster,
        pytest.raises(ReportError, match="the Dask scheduler at tcp://.* has no workers"),
    ):
        run_tasks(tasks.square, {"a": (1,)}, scheduler=cluster.scheduler_address)


def test_the_signal_handlers_are_left_as_they_were():
    before = signal.getsignal(signal.SIGINT)
    run_tasks(tasks.square, {"a": (1,), "b": (2,)}, jobs=2)
    assert signal.getsignal(signal.SIGINT) is before
