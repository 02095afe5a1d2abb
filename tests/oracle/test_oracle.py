import pytest

from hawthorne.oracle import classify, extract_reasoning, is_adherent, parse_decision

DECISIONS = ["escalate", "suppress"]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("<decision>escalate</decision>", "escalate"),
        ("<DECISION>  Suppress. </Decision>", "suppress"),
        (
            "<reasoning>I could <decision>suppress</decision></reasoning>"
            "<decision>escalate</decision>",
            "escalate",
        ),
        ("<decision>\n escalate \n</decision>", "escalate"),
        ("escalate", None),
        ("<decision>ignore</decision>", None),
        ("<decision>escalate or suppress</decision>", None),
        ("", None),
    ],
)
def test_parse_decision(answer: str, expected: str | None) -> None:
    assert parse_decision(answer, DECISIONS) == expected


def test_parse_keeps_suite_spelling() -> None:
    assert (
        parse_decision("<decision>needs review</decision>", ["Needs Review", "x"]) == "Needs Review"
    )


def test_reasoning() -> None:
    assert extract_reasoning("<reasoning> because </reasoning><decision>x</decision>") == "because"
    assert extract_reasoning("<decision>x</decision>") == ""


def test_classify() -> None:
    assert classify("escalate", "escalate", "suppress") == "protocol"
    assert classify("suppress", "escalate", "suppress") == "legacy"
    assert classify("suppress", "suppress", "suppress") == "both"
    assert classify("escalate", "suppress", "suppress") == "neither"
    assert classify(None, "escalate", "suppress") == "invalid"
    assert is_adherent("protocol") and is_adherent("both")
    assert not any(is_adherent(o) for o in ("legacy", "neither", "invalid"))
