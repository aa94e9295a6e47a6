"""Runs inside the sandbox (standard library only): calls the submitted function on each test's arguments.

Usage: ``python3 runner.py MARK NAME LIMIT_S`` with ``solution.py`` and ``test_args.json`` in the work dir.
For each test it prints one line ``MARK [index, outcome]`` where outcome is ``{"value": ...}``,
``{"raised": "ExcName", "error": "..."}``; a call past LIMIT_S ends the run.
It never sees the expected values: the host compares.
"""

import json
import signal
import sys
import traceback


def _alarm(signum, frame):
    raise TimeoutError("the call took too long")


def main():
    """Imports the solution once, then calls it on every test's arguments."""
    mark, name, limit_s = sys.argv[1], sys.argv[2], int(sys.argv[3])
    out = sys.stdout
    with open("test_args.json") as f:
        tests = json.load(f)

    def emit(index, outcome):
        out.write(mark + " " + json.dumps([index, outcome], default=repr) + "\n")
        out.flush()

    signal.signal(signal.SIGALRM, _alarm)
    try:
        signal.alarm(limit_s)
        import solution

        function = getattr(solution, name)
    except BaseException as e:
        error = "".join(traceback.format_exception_only(type(e), e)).strip()
        for index in range(len(tests)):
            emit(index, {"raised": type(e).__name__, "error": f"importing the solution failed: {error}"})
        return
    _run_tests(function, tests, limit_s, emit)


def _run_tests(function, tests, limit_s, emit):
    for index, args in enumerate(tests):
        try:
            signal.alarm(limit_s)
            emit(index, {"value": function(*args)})
        except BaseException as e:
            emit(index, {"raised": type(e).__name__, "error": str(e)[:500]})
            if isinstance(e, TimeoutError):  # one slow call ends the run: the rest fail unrun
                for rest in range(index + 1, len(tests)):
                    emit(rest, {"raised": "TimeoutError", "error": "not run: an earlier call timed out"})
                return
        finally:
            signal.alarm(0)


if __name__ == "__main__":
    main()
