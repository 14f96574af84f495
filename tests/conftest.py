import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def sandbox():
    """The grading sandbox when this machine has one, else None (tests then grade unsandboxed)."""
    from autograder import sandbox as sb

    box, _ = sb.detect()
    return box


def pytest_report_header(config):
    from autograder import sandbox as sb

    box, problem = sb.detect()
    return f"grading sandbox: {'bubblewrap' if box else 'none (' + problem + ')'}; shared/: " + (
        "present" if SHARED.is_dir() else "absent") + f"; chromium: {shutil.which('chromium') or 'absent'}"
