"""
Run a function in a forked child process under a hard wall-clock limit.

Sage hands much of its work to Maxima (Lisp) and Giac (C++), which do not
always return and cannot be interrupted safely: an alarm signal that lands
inside Giac can leave the process deadlocked. The only reliable way to stop
such a call is to run it in a child process and kill that child.

The child is forked, so it starts with everything the parent has already
loaded (Sage, a warmed-up Maxima) and the function and its arguments need
not be picklable. Only the result, or the exception, travels back through a
pipe, and must be picklable.
"""

import logging
import os
import multiprocessing
import pickle
import traceback

logger = logging.getLogger(__name__)

__all__ = ["TimeLimitExceeded", "call_with_time_limit", "silence_output"]


class TimeLimitExceeded(Exception):
    """The function did not return within its time limit; the child was killed."""

    def __init__(self, seconds):
        super().__init__(f"time limit of {seconds:g} seconds exceeded")
        self.seconds = seconds


def _run_child(connection, quiet, function, args, kwargs):
    """
    The child's side: call ``function`` and send back ``("value", result)``,
    ``("error", exception, traceback_text)`` or, when the exception cannot
    cross the pipe, ``("text", type_name, message, traceback_text)``.
    """
    if quiet:
        silence_output()
    try:
        message = ("value", function(*args, **kwargs))
    except BaseException as error:
        text = traceback.format_exc()
        try:
            # Some exceptions pickle but cannot be rebuilt; test both ways.
            pickle.loads(pickle.dumps(error))
            message = ("error", error, text)
        except Exception:
            message = ("text", type(error).__name__, str(error), text)
    try:
        connection.send(message)
    except Exception as error:
        # The return value itself could not be pickled.
        connection.send(("text", type(error).__name__,
                         f"cannot send the result to the parent: {error}",
                         traceback.format_exc()))
    finally:
        connection.close()


def call_with_time_limit(function, *args, seconds, quiet=True, **kwargs):
    """
    Call ``function(*args, **kwargs)`` in a forked child process, killing it
    if it takes longer than ``seconds``.

    INPUT:

    - ``function`` -- any callable; it runs in a child process, so changes it
      makes to global state are lost
    - ``seconds`` -- (keyword only) the wall-clock limit, a positive number
    - ``quiet`` -- (keyword only, default: ``True``) send the child's standard
      output and error to the null device (:func:`silence_output`), which
      keeps Giac's and Maxima's console messages, and the report of a child
      that crashes, out of the caller's output

    OUTPUT: the function's return value, which must be picklable

    An exception raised by the function is raised again in the caller, as
    the same type when it can be pickled and as ``RuntimeError`` otherwise.
    When the limit passes, the child is killed with ``SIGKILL`` and
    :class:`TimeLimitExceeded` is raised.

    EXAMPLES::

        sage: from sage_neural.timeout import call_with_time_limit
        sage: call_with_time_limit(factorial, 10, seconds=10)
        3628800
        sage: x = SR.var('x')
        sage: call_with_time_limit(integrate, x*cos(x), x, seconds=30)
        x*sin(x) + cos(x)
        sage: import time
        sage: call_with_time_limit(time.sleep, 30, seconds=0.5)
        Traceback (most recent call last):
        ...
        sage_neural.timeout.TimeLimitExceeded: time limit of 0.5 seconds exceeded
        sage: call_with_time_limit(ZZ, 'seven', seconds=10)
        Traceback (most recent call last):
        ...
        TypeError: unable to convert 'seven' to an integer
    """
    if not seconds > 0:
        raise ValueError(f"expected a positive number of seconds, got {seconds!r}")
    seconds = float(seconds)

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    # Not a daemon: the function may start children of its own.
    child = context.Process(target=_run_child,
                            args=(sender, quiet, function, args, kwargs))
    child.start()
    sender.close()
    try:
        # poll() also returns when the child dies without sending anything:
        # recv() then raises EOFError.
        if not receiver.poll(seconds):
            logger.debug("killing child %d after %g s", child.pid, seconds)
            raise TimeLimitExceeded(seconds)
        try:
            message = receiver.recv()
        except EOFError:
            child.join()
            raise RuntimeError(f"the child process died with exit code "
                               f"{child.exitcode} before returning") from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
        child.close()

    kind = message[0]
    if kind == "value":
        return message[1]
    logger.debug("the child raised:\n%s", message[-1])
    if kind == "error":
        raise message[1]
    raise RuntimeError(f"{message[1]}: {message[2]}")


def silence_output():
    """
    Send this process's standard output and error to the null device.

    Giac and Maxima print warnings of their own on many integrands
    ("choosing root of ...", "Simplification assuming ..."), from C and Lisp
    where Python cannot catch them. Call it in a child only;
    :func:`call_with_time_limit` calls it in its children unless told not to.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
