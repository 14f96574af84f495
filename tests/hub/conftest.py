import pytest


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so a fixture can screenshot the page of a failed test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
