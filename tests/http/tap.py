"""A tiny TAP runner: the module's test_* functions, in definition order.

Only TAP goes to stdout: the plan, one ok/not ok line per case, and '# '
comment lines (tracebacks, diagnostics). A case that raises Skip is reported
as 'ok K - name # SKIP reason'.
"""
import sys
import time
import traceback


class Skip(Exception):
    """Raise to skip the current case; the message is the reason."""


def diag(text):
    """Print text as TAP comment lines."""
    for line in str(text).splitlines() or [""]:
        print("# " + line, flush=True)


def collect(namespace):
    """The test_* functions of a module namespace, in definition order."""
    return [fn for name, fn in namespace.items()
            if name.startswith("test_") and callable(fn)]


def run(tests):
    """Run the cases, print TAP, return the exit status (1 if any failed)."""
    print(f"1..{len(tests)}", flush=True)
    failed = 0
    for k, fn in enumerate(tests, 1):
        name = fn.__name__[len("test_"):].replace("_", " ")
        t0 = time.monotonic()
        try:
            fn()
        except Skip as why:
            print(f"ok {k} - {name} # SKIP {why}", flush=True)
        except Exception:  # noqa: BLE001 -- any error fails just this case
            failed += 1
            print(f"not ok {k} - {name}", flush=True)
            diag(traceback.format_exc().rstrip())
        else:
            print(f"ok {k} - {name}", flush=True)
        # Where a suite's time goes (run-suites shows these lines).
        diag(f"  {time.monotonic() - t0:.1f} s")
    return 1 if failed else 0


def main(namespace):
    return run(collect(namespace))
