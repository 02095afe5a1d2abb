"""The public surface: deliberate, sorted, documented, and Inspect-free where DESIGN.md says."""

import importlib
import inspect
import subprocess
import sys

import pytest

PACKAGES = ["audit", "detectors", "oracle", "organisms", "report", "stats", "suites", "systems"]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_documented(name: str) -> None:
    module = importlib.import_module(f"hawthorne.{name}")
    exported = module.__all__
    assert exported == sorted(exported)
    for symbol in exported:
        obj = getattr(module, symbol)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert (obj.__doc__ or "").strip(), f"hawthorne.{name}.{symbol} has no docstring"


def test_own_logic_does_not_import_inspect() -> None:
    # Suites, oracle, statistics, verdicts and reports are plain Python (DESIGN.md).
    code = (
        "import sys, hawthorne.suites, hawthorne.oracle, hawthorne.stats, hawthorne.report, "
        "hawthorne.systems, "
        "hawthorne.audit; print('inspect_ai' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
