"""The nightly commands' tests run on a fake clock: the waits a run asks for are recorded, not slept.

Every retry of a fault test (503s, resets, Retry-After) used to sleep for real, 0.5 s to 1 s
each; `fake_clock.waits` now says what the run would have waited, so a test checks that
Retry-After was honoured and the backoff bounded without waiting for either. Timeouts stay
real (a stalled server is a real socket that stops answering).
"""

from __future__ import annotations

import pytest

from tests.conftest import FakeClock, cli_runner


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def run_cli(capsys, fake_clock):
    """`python -m generator ...` in-process on `fake_clock`; (exit code, stderr)."""
    return cli_runner(capsys, fake_clock)
