"""Calls in a forked child under a hard time limit."""

import os
import threading
import time

import pytest

from sage_neural.timeout import TimeLimitExceeded, call_with_time_limit


def _fail(message):
    raise ValueError(message)


class _Unpicklable(Exception):
    """An exception that cannot be pickled: it holds a lock."""

    def __init__(self, a, b):
        super().__init__(f"{a} and {b}")
        self.lock = threading.Lock()


def _fail_unpicklable():
    raise _Unpicklable(1, 2)


def _chatty():
    # As Giac and Maxima do: straight to the file descriptor.
    os.write(1, b"said by the child\n")
    return 7


def test_returns_the_value():
    assert call_with_time_limit(pow, 2, 10, seconds=10) == 1024
    result = call_with_time_limit(sorted, [3, 1, 2], reverse=True, seconds=10)
    assert result == [3, 2, 1]


def test_runs_in_another_process():
    assert call_with_time_limit(os.getpid, seconds=10) != os.getpid()


def test_propagates_an_exception():
    with pytest.raises(ValueError, match="bad input"):
        call_with_time_limit(_fail, "bad input", seconds=10)


def test_unpicklable_exception_becomes_runtime_error():
    with pytest.raises(RuntimeError, match="_Unpicklable: 1 and 2"):
        call_with_time_limit(_fail_unpicklable, seconds=10)


def test_unpicklable_result_becomes_runtime_error():
    with pytest.raises(RuntimeError, match="cannot send the result"):
        call_with_time_limit(lambda: (lambda: None), seconds=10)


def test_time_limit_kills_the_child():
    start = time.monotonic()
    with pytest.raises(TimeLimitExceeded, match="1 seconds"):
        call_with_time_limit(time.sleep, 30, seconds=1)
    assert time.monotonic() - start < 5
    # The child was killed and reaped: no zombie is left behind.
    import multiprocessing
    assert multiprocessing.active_children() == []


def test_child_that_dies_raises_runtime_error():
    with pytest.raises(RuntimeError, match="exit code 3"):
        call_with_time_limit(os._exit, 3, seconds=10)


def test_rejects_a_non_positive_limit():
    with pytest.raises(ValueError, match="positive number of seconds"):
        call_with_time_limit(pow, 2, 3, seconds=0)


def test_child_output_is_discarded(capfd):
    assert call_with_time_limit(_chatty, seconds=10) == 7
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_child_output_is_kept_when_asked(capfd):
    assert call_with_time_limit(_chatty, seconds=10, quiet=False) == 7
    out, err = capfd.readouterr()
    assert out == "said by the child\n"
    assert err == ""


def test_sage_integration_in_the_child():
    sg = pytest.importorskip("sage.all__sagemath_symbolics")
    x = sg.SR.var("x")
    F = call_with_time_limit(sg.integrate, x * sg.cos(x), x, seconds=60)
    assert bool((F - (x * sg.sin(x) + sg.cos(x))).simplify_full() == 0)
    assert bool(F.derivative(x) == x * sg.cos(x))
