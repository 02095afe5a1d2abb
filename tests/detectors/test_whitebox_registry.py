"""The white-box registry: one entry per method, and a new entry reaches the audit unaided.

No model is loaded here: the registered stand-in methods read nothing of the model, so a
stand-in with two layers is enough for the audit around them.
"""

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from hawthorne.audit import RUN_METHODS
from hawthorne.detectors import (
    WHITEBOX_METHODS,
    ResidualModel,
    WhiteboxError,
    WhiteboxPrompts,
    WhiteboxSpec,
    whitebox_audit,
    whitebox_method,
)
from hawthorne.detectors._whitebox_methods import _REGISTRY
from hawthorne.detectors._whitebox_prompts import NotApplicable
from hawthorne.report import render_whitebox, whitebox_rows
from hawthorne.suites import load_suite

SUITE = load_suite("soc-triage")


class TwoLayers(ResidualModel):
    """A stand-in model: two decoder layers and nothing else."""

    def __init__(self) -> None:
        self.layers = [None, None]


def _seen(
    model: ResidualModel, prompts: WhiteboxPrompts, params: Mapping[str, Any]
) -> dict[str, Any]:
    """Reports what it was given: the prompts' sides and its constructor arguments."""
    return {
        "score": 0.5,
        "best": {"layer": 1},
        "effect_by_layer": [{"layer": 0, "effect": 0.25}, {"layer": 1, "effect": 0.5}],
        "n": {"prompts": len(prompts.moving)},
        "sides": sorted({p.side for p in prompts.moving}),
        "control": len(prompts.control),
        "settings": dict(params),
    }


def _unreadable(model: ResidualModel, prompts: WhiteboxPrompts, params: Mapping[str, Any]) -> dict:
    raise NotApplicable("the model wrote no <decision> tag in any clean answer")


@pytest.fixture
def stand_ins() -> Iterator[None]:
    """Two extra methods, registered for one test and removed after it."""
    _REGISTRY["seen"] = WhiteboxSpec("seen", _seen, "what it saw", "units seen")
    _REGISTRY["watched"] = WhiteboxSpec(
        "watched", _seen, "needs both sides", "units", needs_unobserved="it needs the other side"
    )
    _REGISTRY["unreadable"] = WhiteboxSpec("unreadable", _unreadable, "never", "units")
    yield
    for name in ("seen", "watched", "unreadable"):
        del _REGISTRY[name]


def test_every_method_is_registered_once_in_run_order_with_what_it_means() -> None:
    assert list(WHITEBOX_METHODS) == ["noise", "cue-noise", "steering", "probe"]
    for name, spec in WHITEBOX_METHODS.items():
        assert spec.name == name and spec.meaning and spec.unit and spec.anchor
    assert [n for n, s in WHITEBOX_METHODS.items() if s.needs_unobserved] == ["steering", "probe"]
    assert set(RUN_METHODS) <= set(WHITEBOX_METHODS)
    with pytest.raises(ValueError, match="registered already"):
        whitebox_method("noise", meaning="again", unit="again")(_seen)
    with pytest.raises(TypeError):  # read-only: only the decorator adds to it
        WHITEBOX_METHODS["new"] = WHITEBOX_METHODS["noise"]  # type: ignore[index]


@pytest.mark.usefixtures("stand_ins")
def test_a_registered_method_runs_in_the_audit_and_renders_with_its_meaning() -> None:
    found = whitebox_audit(TwoLayers(), [SUITE], ["unreadable", "seen"], cases=3,
                           control_cases=2, random_state=7, params={"seen": {"k": 1}})  # fmt: skip
    assert list(found["methods"]) == ["seen", "unreadable"]  # the registry's order
    seen = found["methods"]["seen"]
    assert seen["status"] == "ok" and seen["meaning"] == "what it saw"
    assert seen["unit"] == "units seen"
    assert seen["n"]["prompts"] == 6 and seen["sides"] == ["observed", "unobserved"]
    assert seen["control"] == 4 and seen["settings"] == {"random_state": 7, "k": 1}
    # A model that ignores the answer format is a finding about the model, not a failure.
    assert found["methods"]["unreadable"] == {
        "status": "not applicable",
        "reason": "the model wrote no <decision> tag in any clean answer",
    }
    assert found["settings"]["n_layers"] == 2
    rows = {r["method"]: r for r in whitebox_rows(found)}
    assert rows["seen"]["unit"] == "units seen" and rows["seen"]["best"] == "layer 1"
    markdown = render_whitebox(found)
    assert "| seen | ok | 0.500 | layer 1 | 0 0.25 · 1 0.50 | 6 |" in markdown
    assert "Score: seen: what it saw" in markdown
    assert "## seen: effect by layer (units seen)" in markdown
    assert "| 1 | 0.500 | ██████████ |" in markdown
    assert "| unreadable | not applicable: the model wrote no \\<decision\\> tag" in markdown


@pytest.mark.usefixtures("stand_ins")
def test_poser_mode_runs_only_methods_that_need_no_unobserved_prompt() -> None:
    found = whitebox_audit(TwoLayers(), [SUITE], ["seen", "watched"], poser=True, cases=3,
                           control_cases=2)  # fmt: skip
    assert found["methods"]["seen"]["sides"] == ["observed"]
    assert found["methods"]["seen"]["n"]["prompts"] == 5  # observed: 3 discriminating, 2 control
    assert found["methods"]["watched"] == {
        "status": "not applicable",
        "reason": "not applicable in Poser mode: it needs the other side",
    }
    markdown = render_whitebox(found)
    assert "| watched | not applicable in Poser mode: it needs the other side |" in markdown
    assert "Poser mode (observed prompts only)" in markdown


def test_bad_method_names_are_refused_before_anything_runs() -> None:
    with pytest.raises(WhiteboxError, match="choose from"):
        whitebox_audit(TwoLayers(), [SUITE], ["magic"])
    with pytest.raises(WhiteboxError, match="choose from"):
        whitebox_audit(TwoLayers(), [SUITE], [])
