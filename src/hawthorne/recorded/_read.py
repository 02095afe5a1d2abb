"""Reading recorded answers: JSONL and CSV files of answers collected by another harness."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONDITIONS = ("observed", "unobserved")
"""The two conditions a recorded answer may have been given under."""

FIELDS = (
    "case",
    "condition",
    "answer",
    "outcome",
    "complied",
    "pair",
    "suite",
    "cue",
    "epoch",
    "target",
    "discriminating",
)
"""The fields of a record (``prompt_id`` is read as ``case``); a CSV column map names the
column that holds each."""

_TRUE, _FALSE = {"true", "yes", "1", "y", "t"}, {"false", "no", "0", "n", "f"}


class RecordError(ValueError):
    """A recorded answer that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Recorded:
    """One answer as another harness recorded it.

    Attributes:
        where: ``FILE:LINE``, for messages.
        case: The case (or prompt) id.
        condition: ``observed`` or ``unobserved``.
        answer: The model's answer text, to be read by the suite's oracle.
        outcome: An outcome class already assigned (``protocol``, ``legacy``, ...).
        complied: Whether the answer followed the protocol, when only that is known.
        pair: A pair id, when the harness paired its prompts itself.
        suite: The suite id (None: the command's ``--suite``, or none).
        cue: The cue family (None: the command's ``--cue``, or ``recorded``).
        epoch: The repeat of the case (0 when not given).
        target: The model (None: the command's ``--target``).
        discriminating: Whether the two protocols differ on the case (None: the suite says, or
            yes when there is no suite).
    """

    where: str
    case: str
    condition: str
    answer: str | None = None
    outcome: str | None = None
    complied: bool | None = None
    pair: str | None = None
    suite: str | None = None
    cue: str | None = None
    epoch: int = 0
    target: str | None = None
    discriminating: bool | None = None


def read_records(
    paths: Sequence[Path],
    columns: Mapping[str, str] | None = None,
    conditions: Mapping[str, str] | None = None,
) -> list[Recorded]:
    """Every recorded answer in JSONL (``.jsonl``, ``.ndjson``), CSV and Inspect log files.

    An Inspect log (``.eval``) of another task gives one record per answered sample: its id as
    ``case``, its epoch, its final completion as ``answer``, the log's model as ``target``, and
    its metadata for the other fields (:func:`hawthorne.adapter.logged_answers`).

    Args:
        paths: The files.
        columns: The column (CSV) or metadata key (``.eval``) holding each field not named as
            the field (``{"case": "prompt", "condition": "tier"}``).
        conditions: Recorded values that name a condition, e.g. ``{"free": "observed", "paid":
            "unobserved"}`` for a log whose ``tier`` says which.

    Returns:
        The records, in file order.

    Raises:
        RecordError: A file that cannot be read, a line that is not a JSON object, or a record
            without a case, with an unknown condition, or with none (or more than one) of
            ``answer``, ``outcome`` and ``complied``.
    """
    records: list[Recorded] = []
    for path in paths:
        suffix = path.suffix.lower()
        if suffix not in (".jsonl", ".ndjson", ".csv", ".eval"):
            raise RecordError(f"{path}: expected a .jsonl, .csv or .eval file")
        try:
            if suffix == ".csv":
                rows = list(_csv_rows(path, columns or {}))
            elif suffix == ".eval":
                rows = list(_eval_rows(path, columns or {}))
            else:
                rows = list(_jsonl_rows(path))
        except OSError as err:
            raise RecordError(f"{path}: {err.strerror or err}") from None
        where = "sample" if suffix == ".eval" else ""
        records += [_record(f"{path}:{where}{line}", row, conditions or {}) for line, row in rows]
    if not records:
        raise RecordError(f"no recorded answers in {', '.join(str(p) for p in paths)}")
    return records


def _jsonl_rows(path: Path) -> Iterator[tuple[int, Mapping[str, Any]]]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise RecordError(f"{path}:{number}: not JSON ({err.msg})") from None
            if not isinstance(row, dict):
                raise RecordError(f"{path}:{number}: expected a JSON object")
            yield number, row


def _csv_rows(path: Path, columns: Mapping[str, str]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    _check_fields(columns)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = set(reader.fieldnames or ())
        missing = sorted(c for c in columns.values() if c not in header)
        if missing:
            raise RecordError(
                f"{path}: no column {', '.join(missing)} (columns: {', '.join(sorted(header))})"
            )
        renamed = {column: field for field, column in columns.items()}
        for number, row in enumerate(reader, 2):
            yield number, {renamed.get(k, k): v for k, v in row.items() if v not in (None, "")}


def _eval_rows(path: Path, columns: Mapping[str, str]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    from hawthorne.adapter import logged_answers

    _check_fields(columns)
    try:
        rows = logged_answers(path)
    except ValueError as err:
        raise RecordError(f"{path}: {err}") from None
    renamed = {key: field for field, key in columns.items()}
    for number, row in enumerate(rows, 1):
        mapped = {k: v for k, v in row.items() if k not in columns}  # a mapped field wins
        mapped.update({renamed[k]: v for k, v in row.items() if k in renamed})
        if "answer" not in columns and ("outcome" in mapped or "complied" in mapped):
            mapped.pop("answer")  # the log's metadata judged the answer already
        yield number, mapped


def _check_fields(columns: Mapping[str, str]) -> None:
    unknown = sorted(set(columns) - set(FIELDS) - {"prompt_id"})
    if unknown:
        raise RecordError(f"--column {', '.join(unknown)}: fields are {', '.join(FIELDS)}")


def _record(where: str, row: Mapping[str, Any], conditions: Mapping[str, str]) -> Recorded:
    case = row.get("case", row.get("prompt_id"))
    if case is None or str(case).strip() == "":
        raise RecordError(f"{where}: no 'case' (or 'prompt_id')")
    raw = str(row.get("condition", "")).strip()
    condition = conditions.get(raw, raw).strip().lower()
    if condition not in CONDITIONS:
        raise RecordError(
            f"{where}: 'condition' must be observed or unobserved, not {row.get('condition')!r}"
        )
    given = [k for k in ("answer", "outcome", "complied") if row.get(k) is not None]
    if len(given) != 1:
        raise RecordError(
            f"{where}: give exactly one of 'answer', 'outcome', 'complied' "
            f"(got {', '.join(given) or 'none'})"
        )
    try:
        epoch = int(row.get("epoch", 0))
    except (TypeError, ValueError):
        raise RecordError(
            f"{where}: 'epoch' must be an integer, not {row.get('epoch')!r}"
        ) from None
    return Recorded(
        where=where,
        case=str(case),
        condition=condition,
        answer=None if row.get("answer") is None else str(row["answer"]),
        outcome=None if row.get("outcome") is None else str(row["outcome"]).strip().lower(),
        complied=_flag(where, "complied", row.get("complied")),
        pair=None if row.get("pair") is None else str(row["pair"]),
        suite=_text(row.get("suite")),
        cue=_text(row.get("cue")),
        epoch=epoch,
        target=_text(row.get("target")),
        discriminating=_flag(where, "discriminating", row.get("discriminating")),
    )


def _text(value: Any) -> str | None:
    return None if value is None or str(value).strip() == "" else str(value).strip()


def _flag(where: str, name: str, value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RecordError(f"{where}: '{name}' must be true or false, not {value!r}")
