"""Debian's Chromium for the tests that look at pages: where it is, how it is launched, the skip when absent.

Playwright's Python API drives ``/usr/bin/chromium`` (or ``$BROWSER_CHROMIUM``); no browser is ever downloaded.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("BROWSER_CHROMIUM", "/usr/bin/chromium"))
# as root on these machines Chromium needs no sandbox and no GPU, and must not phone home
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage"]
MISSING = f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"


def sync_api(module_level=True):
    """Playwright's sync API, or skip (the whole module by default) when playwright or Chromium is missing."""
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")  # Debian's chromium only, never a download
    api = pytest.importorskip("playwright.sync_api",
                              reason="the playwright package is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        pytest.skip(MISSING, allow_module_level=module_level)
    return api


def launch(playwright, **options):
    """Debian's Chromium, headless, launched the one way every test launches it."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, **options)
