"""pytest plugin of python-backend-specialist: pytest always ends.

A project whose tests leave a non-daemon thread running (an aiosqlite connection that is never
closed, typically after the database failed to open) makes the interpreter wait for that thread
forever once pytest has printed its results: the run would then end at our timeout with "did not
finish" instead of the test's error. When everything pytest writes is written (terminal summary,
JUnit XML in pytest_sessionfinish, coverage data in pytest-cov's runtestloop/sessionfinish), and
threads that would block the exit are still alive, this plugin ends the process with pytest's own
exit status.

Loaded with ``-p specialist_pytest_exit`` from a folder of ours put on PYTHONPATH: nothing is written
into the project.
"""

import os
import sys
import threading

import pytest

# pytest's exit status as pytest_cmdline_main returned it (what `pytest` itself exits with).
_status = {"code": None}


def _blocking_threads():
    main = threading.main_thread()
    return [t for t in threading.enumerate() if t is not main and not t.daemon and t.is_alive()]


def _flush():
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except Exception:  # a closed or broken stream cannot hold anything more
            pass


def _exit_if_blocked():
    threads = _blocking_threads()
    if not threads:
        return  # the interpreter can end on its own: leave every normal shutdown step to it
    code = _status["code"]
    # No status: pytest ended before its main hook (a conftest import failure, a usage error),
    # which pytest reports as a usage error.
    code = 4 if code is None else int(code)
    names = ", ".join(t.name for t in threads[:5])
    _flush()
    try:
        sys.__stderr__.write(
            "specialist: pytest is over but %d thread(s) still run (%s): exiting with status %d\n"
            % (len(threads), names, code)
        )
    except Exception:
        pass
    _flush()
    os._exit(code)


@pytest.hookimpl(hookwrapper=True)
def pytest_cmdline_main(config):
    outcome = yield
    if outcome.excinfo is None:
        result = outcome.get_result()
        _status["code"] = 0 if result is None else int(result)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    # Last of all unconfigure hooks: the JUnit XML and coverage data are written by now, and
    # pytest_cmdline_main has returned the status.
    if not hasattr(threading, "_register_atexit"):
        # Python < 3.9: no later point runs before the interpreter waits for the threads.
        _exit_if_blocked()


# Runs when the main thread has finished (pytest has returned, its output is flushed) and before
# the interpreter joins the remaining non-daemon threads: the latest point that still helps.
if hasattr(threading, "_register_atexit"):
    threading._register_atexit(_exit_if_blocked)
