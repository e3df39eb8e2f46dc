"""reporter/interrupts.py: SIGINT and SIGTERM recorded as well as raised while a build runs,
so that an interrupt a library swallows still ends the build, with the right exit code, and
the previous handlers restored afterwards."""

from __future__ import annotations

import contextlib
import os
import signal
import threading

import pytest

from reporter.interrupts import Interrupted, InterruptGuard
from reporter.pipeline import build


def test_an_interrupt_carries_the_exit_code_of_its_signal():
    assert Interrupted().exit_code == 130
    assert Interrupted(signal.SIGINT).exit_code == 130
    assert Interrupted(signal.SIGTERM).exit_code == 143
    assert isinstance(Interrupted(), KeyboardInterrupt)  # code catching Ctrl-C still stops


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_inside_the_guard_is_raised_and_recorded(signum, code):
    with InterruptGuard() as guard:
        with pytest.raises(Interrupted) as err:
            os.kill(os.getpid(), signum)
        assert err.value.exit_code == code
        assert guard.received == signum


def test_a_swallowed_interrupt_is_raised_again_by_check():
    with InterruptGuard() as guard:
        guard.check()  # nothing came: nothing happens
        with contextlib.suppress(BaseException):  # what WeasyPrint does while it draws an SVG
            os.kill(os.getpid(), signal.SIGINT)
        with pytest.raises(Interrupted) as err:
            guard.check()
        assert err.value.exit_code == 130


def test_the_previous_handlers_are_restored():
    def mine(signum, frame):
        raise AssertionError("not called")

    previous = signal.signal(signal.SIGTERM, mine)
    try:
        before = signal.getsignal(signal.SIGINT)
        with InterruptGuard():
            assert signal.getsignal(signal.SIGTERM) is not mine
        assert signal.getsignal(signal.SIGTERM) is mine
        assert signal.getsignal(signal.SIGINT) is before
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_outside_the_main_thread_the_guard_leaves_the_signals_alone():
    found = {}

    def run():
        before = signal.getsignal(signal.SIGINT)
        with InterruptGuard() as guard:
            found["handler"] = signal.getsignal(signal.SIGINT) is before
            found["previous"] = dict(guard.previous)
            guard.check()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert found == {"handler": True, "previous": {}}


def test_an_interrupted_build_publishes_nothing(make_root):
    project = make_root("basic")

    def progress(stage: str) -> None:
        if stage.startswith("Rendering HTML"):
            os.kill(os.getpid(), signal.SIGTERM)

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Interrupted) as err:
        build(project, pdf=False, progress=progress)
    assert err.value.exit_code == 143
    assert not project.out().exists()
    assert signal.getsignal(signal.SIGTERM) is before
