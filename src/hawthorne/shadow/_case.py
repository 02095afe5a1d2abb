"""A live decision as a suite case, and the observed-variant prompt it is re-asked with.

The case text comes from the suite's own case template (``cases.generate.template``) rendered
with the decision's fields, so the shadow prompt is what the audit would have asked for those
fields; the prompt is then rendered by the audit's :func:`hawthorne.suites.render` under the
observed side of the cue family. Where the template does not fit the fields (a hand-written
case's own fields) or the suite has none, a case of the suite with the same field values gives
its text. A decision that fits neither is :class:`Unscorable`, not an error: there is nothing
to ask.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from hawthorne.suites import Case, CueFamily, Prompt, Suite, render

__all__ = [
    "Unscorable",
    "case_template",
    "is_sampled",
    "paraphrase_for",
    "shadow_case",
    "shadow_prompt",
]

_BUILTIN = "builtin:"


class Unscorable(ValueError):
    """A live decision cannot be put to the model as a suite case; the message says why."""


def _unit(*parts: str) -> float:
    digest = hashlib.sha256("\x00".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def is_sampled(deployment: str, decision_id: str, rate: float) -> bool:
    """Whether a decision falls in a deployment's shadow sample at ``rate``.

    A hash of the deployment and the decision's id, read as a number in [0, 1), is below the
    rate: the same decision is in or out on every run and after every restart, independently
    of what it decided, and a larger rate's sample holds every smaller rate's.

    Args:
        deployment: The deployment's id.
        decision_id: The decision's id.
        rate: The share sampled, in [0, 1].

    Returns:
        Whether the decision is sampled.
    """
    return _unit(deployment, decision_id) < rate


def paraphrase_for(deployment: str, decision_id: str, cue: CueFamily) -> int:
    """The observed paraphrase a decision is re-asked with: the family's, in turn by a hash.

    Each decision gets one of the family's observed sentences, uniformly and reproducibly, so
    over many decisions every paraphrase is used about equally (as the audit rotates them).
    """
    return int(_unit(deployment, decision_id, "paraphrase") * len(cue.observed))


def _environment() -> SandboxedEnvironment:
    # As the suites' own: sandboxed (suite files come from users) and strict (a missing field
    # is an error, not an empty string in the prompt).
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def _suite_file(source: str) -> Any:
    if source.startswith(_BUILTIN):
        name = f"{source.removeprefix(_BUILTIN)}.yaml"
        return resources.files("hawthorne.suites").joinpath("builtin", "suites", name)
    return Path(source)


@functools.lru_cache(maxsize=64)
def _template(source: str, stamp: float) -> Template | None:
    try:
        data = yaml.safe_load(_suite_file(source).read_text(encoding="utf-8"))
        text = data["cases"]["generate"]["template"]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return None
    return _environment().from_string(str(text)) if isinstance(text, str) else None


def case_template(suite: Suite) -> Template | None:
    """The suite's case template, read from its file (None: it has none, or no file).

    The loaded :class:`~hawthorne.suites.Suite` keeps its rendered cases, not the template, so
    the template is read from the file the suite came from (a built-in's from the package).
    """
    source = suite.source
    if not source:
        return None
    try:
        stamp = 0.0 if source.startswith(_BUILTIN) else Path(source).stat().st_mtime
    except OSError:
        return None
    return _template(source, stamp)


def shadow_case(suite: Suite, decision_id: str, fields: Mapping[str, str]) -> Case:
    """A live decision as a case of its suite.

    The text is the suite's case template rendered with the fields, else the text of a suite
    case with these field values (a hand-written one). The case's id (also the template's
    ``case_id``) is the decision's ``case_id`` field, else the decision's id, as the monitor
    reads an agentic decision's tool calls.

    Args:
        suite: The deployment's suite.
        decision_id: The decision's id.
        fields: The decision's case fields.

    Returns:
        The case (its text rendered from the suite's template).

    Raises:
        Unscorable: The fields do not fit the template (or the suite has none) and none of its
            cases has these field values, or its decide tables leave the case undecided.
    """
    case_id = fields.get("case_id", decision_id)
    template = case_template(suite)
    problem = f"suite {suite.id} has no case template"
    text = None
    if template is not None:
        try:
            text = template.render({**fields, "case_id": case_id}).strip()
        except TemplateError as err:
            problem = f"the fields do not fit the suite's case template: {err}"
        except Exception as err:  # a user template can fail in any way; never a traceback
            problem = f"the suite's case template failed: {err}"
    if text is None:
        # A hand-written case of the suite with these field values has its own text.
        same = next(
            (c for c in suite.cases if all(fields.get(k) == v for k, v in c.fields.items())),
            None,
        )
        if same is None:
            raise Unscorable(f"{problem}, and none of its cases has these field values")
        text = same.text
    # A decision's id need not be kebab-case, as a suite's case ids must: not validated.
    case = Case.model_construct(id=case_id, fields=dict(fields), text=text)
    if suite.protocol.decision(case.fields) is None or suite.legacy.decision(case.fields) is None:
        raise Unscorable("the suite's decide tables leave this case undecided")
    if suite.agentic is not None:
        try:
            suite.agentic_case(case)
        except TemplateError as err:
            raise Unscorable(f"the fields do not fit the suite's enact table: {err}") from None
    return case


def shadow_prompt(
    suite: Suite, cue: CueFamily, deployment: str, decision_id: str, fields: Mapping[str, str]
) -> Prompt:
    """The observed-variant prompt a live decision is re-asked with.

    The suite's case for the decision's fields (:func:`shadow_case`), rendered by the audit's
    :func:`~hawthorne.suites.render` under the observed side of ``cue`` with the paraphrase
    :func:`paraphrase_for` picks; no stressor, no positive control.

    Raises:
        Unscorable: See :func:`shadow_case`.
    """
    case = shadow_case(suite, decision_id, fields)
    return render(suite, case, cue, "observed", paraphrase_for(deployment, decision_id, cue))
