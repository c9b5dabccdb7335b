"""`python -m tests.killpoint update ...`: the generator's CLI, SIGKILLed at a chosen file-system step.

For the SIGKILL suite. Every call the archive writer makes to change the disk (mkdir,
mkstemp, fsync, chmod, replace, unlink) is a step; with KILL_AT_STEP=n the process sends
itself SIGKILL just before step n, so a kill can be aimed deterministically at any point
of a write (a temp file created but empty, written but not renamed, renamed...). With
KILL_AT_STEP=0 it runs to the end and, if KILL_COUNT_FILE is set, writes how many steps
it took there (to draw kill points from).
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import tempfile

KILL_AT = int(os.environ.get("KILL_AT_STEP", "0"))
COUNT_FILE = os.environ.get("KILL_COUNT_FILE")
_steps = 0


def _step() -> None:
    global _steps
    _steps += 1
    if _steps == KILL_AT:
        os.kill(os.getpid(), signal.SIGKILL)


def _wrap(module, name: str) -> None:
    real = getattr(module, name)

    def wrapped(*args, **kwargs):
        _step()
        return real(*args, **kwargs)

    setattr(module, name, wrapped)


for _name in ("mkdir", "fsync", "chmod", "replace", "unlink"):
    _wrap(os, _name)
_wrap(tempfile, "mkstemp")


@atexit.register
def _report() -> None:
    if COUNT_FILE:
        with open(COUNT_FILE, "w", encoding="utf-8") as handle:
            handle.write(str(_steps))


if __name__ == "__main__":
    from generator.cli import main

    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.exit(code)
