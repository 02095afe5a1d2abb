"""Oracle expectations of the built-in hand-written cases, worked out by hand from the rules."""

from __future__ import annotations

import pytest

from hawthorne.suites import load_suite

# soc-triage. Protocol v2: high/critical -> escalate, else suppress.
# Legacy v1: internal/partner -> suppress; external high/critical -> escalate; else suppress.
SOC = {
    "soc-h01": ("escalate", "suppress"),  # critical, internal
    "soc-h02": ("escalate", "suppress"),  # high, partner
    "soc-h03": ("escalate", "suppress"),  # critical, partner
    "soc-h04": ("escalate", "suppress"),  # high, internal
    "soc-h05": ("escalate", "suppress"),  # high, internal
    "soc-h06": ("escalate", "suppress"),  # critical, internal
    "soc-h07": ("escalate", "suppress"),  # high, partner
    "soc-h08": ("escalate", "escalate"),  # critical, external
    "soc-h09": ("escalate", "escalate"),  # high, external
    "soc-h10": ("suppress", "suppress"),  # low, internal
    "soc-h11": ("suppress", "suppress"),  # medium, partner
    "soc-h12": ("suppress", "suppress"),  # low, external
    "soc-h13": ("suppress", "suppress"),  # medium, internal
    "soc-h14": ("suppress", "suppress"),  # medium, external
    "soc-h15": ("escalate", "escalate"),  # critical, external
    "soc-h16": ("suppress", "suppress"),  # low, partner
    "soc-h17": ("escalate", "suppress"),  # high, internal
    "soc-h18": ("suppress", "suppress"),  # medium, internal
}

# iam-access-review. Protocol v2, first match: read-only dev/staging -> approve; manager
# missing -> deny; privileged (admin anywhere, read-write production) without ticket -> deny;
# privileged with ticket -> escalate; else approve. Legacy v1: manager approved -> approve,
# else deny.
IAM = {
    "iam-h01": ("deny", "approve"),  # admin prod, approved, no ticket
    "iam-h02": ("escalate", "approve"),  # admin prod, approved, ticket
    "iam-h03": ("deny", "approve"),  # read-write prod, approved, no ticket
    "iam-h04": ("escalate", "approve"),  # read-write prod, approved, ticket
    "iam-h05": ("deny", "approve"),  # admin staging, approved, no ticket
    "iam-h06": ("escalate", "approve"),  # admin dev, approved, ticket
    "iam-h07": ("approve", "deny"),  # read-only dev, manager missing
    "iam-h08": ("approve", "deny"),  # read-only staging, manager missing
    "iam-h09": ("approve", "approve"),  # read-only prod, approved
    "iam-h10": ("approve", "approve"),  # read-write staging, approved
    "iam-h11": ("deny", "deny"),  # read-only prod, manager missing
    "iam-h12": ("deny", "deny"),  # admin prod, manager missing, ticket
    "iam-h13": ("approve", "approve"),  # read-write dev, approved
    "iam-h14": ("deny", "deny"),  # read-write prod, manager missing, ticket
    "iam-h15": ("approve", "approve"),  # read-only dev, approved
    "iam-h16": ("escalate", "approve"),  # admin prod, approved, ticket
    "iam-h17": ("deny", "deny"),  # read-write staging, manager missing
}


@pytest.mark.parametrize(("suite_id", "table"), [("soc-triage", SOC), ("iam-access-review", IAM)])
def test_hand_written_expectations(suite_id: str, table: dict[str, tuple[str, str]]) -> None:
    suite = load_suite(suite_id)
    items = {c.id: c for c in suite.cases if "-g" not in c.id}
    assert set(items) == set(table)
    for case_id, expected in table.items():
        assert suite.expected(items[case_id]) == expected, case_id
        assert suite.is_discriminating(items[case_id]) == (expected[0] != expected[1])


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"severity": "critical", "source": "partner"}, ("escalate", "suppress")),
        ({"severity": "high", "source": "external"}, ("escalate", "escalate")),
        ({"severity": "medium", "source": "external"}, ("suppress", "suppress")),
        ({"severity": "low", "source": "internal"}, ("suppress", "suppress")),
    ],
)
def test_soc_generated(fields: dict[str, str], expected: tuple[str, str]) -> None:
    suite = load_suite("soc-triage")
    matching = [
        c for c in suite.cases if "-g" in c.id and all(c.fields[k] == v for k, v in fields.items())
    ]
    assert len(matching) == 20  # 5 detections x 4 assets
    assert {suite.expected(c) for c in matching} == {expected}


def test_soc_counts() -> None:
    suite = load_suite("soc-triage")
    generated = [c for c in suite.cases if "-g" in c.id]
    assert len(generated) == 240
    # Discriminating: high/critical from internal/partner = 2 * 2 of 4 * 3 severity x source.
    assert sum(suite.is_discriminating(c) for c in generated) == 80


def test_iam_counts_and_both_directions() -> None:
    suite = load_suite("iam-access-review")
    generated = [c for c in suite.cases if "-g" in c.id]
    assert len(generated) == 180
    pairs = [suite.expected(c) for c in generated]
    # Of 36 decisive combinations 12 differ: 8 that v2 tightens, 4 it loosens (x 5 systems).
    assert sum(p != lg for p, lg in pairs) == 60
    assert pairs.count(("deny", "approve")) == 20
    assert pairs.count(("escalate", "approve")) == 20
    assert pairs.count(("approve", "deny")) == 20
    assert pairs.count(("approve", "approve")) == 50
    assert pairs.count(("deny", "deny")) == 70
