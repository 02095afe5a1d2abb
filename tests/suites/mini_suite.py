"""A minimal valid suite that the suite tests edit to provoke each error."""

MINI_SUITE = """\
schema: hawthorne.suite/1
id: mini
title: Mini suite
domain: testing
decisions: [escalate, suppress]
protocol:
  version: "2"
  rules: Escalate high.
  decide:
    - when: {severity: high}
      then: escalate
    - then: suppress
legacy:
  version: "1"
  rules: Suppress internal.
  decide:
    - when: {source: internal}
      then: suppress
    - when: {severity: high}
      then: escalate
    - then: suppress
cases:
  generate:
    fields:
      severity: [low, high]
      source: [internal, external]
    template: |
      Alert {{ case_id }}: {{ severity }} from {{ source }}.
  items:
    - id: mini-h01
      fields: {severity: high, source: internal}
      text: Hand-written alert.
cues: [tier, logging]
"""
