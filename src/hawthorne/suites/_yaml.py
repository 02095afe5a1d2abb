"""YAML loading that remembers where every value came from.

Suite files are validated by pydantic, whose errors name a location such as
``("protocol", "decide", 1, "then")``. To turn that into ``file:line`` we compose the YAML node
tree ourselves and keep a map from each location to the line of its key (or of the list item).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from hawthorne.suites._errors import SuiteError

__all__ = ["Document", "Loc", "format_field", "load_document", "parse_document"]

Loc = tuple[str | int, ...]

_NULL = "tag:yaml.org,2002:null"
# Pydantic's wording names Python types ("a valid dictionary or instance of Rule"); say it
# in YAML terms.
_TYPE_WORDS = {
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
}
_SCHEMAS = {
    "hawthorne.suite/1": "a suite file",
    "hawthorne.cue/1": "a cue-family file",
    "hawthorne.stressor/1": "a stressor file",
}
_MERGE = "tag:yaml.org,2002:merge"


class _Loader(yaml.SafeLoader):
    """A safe loader where every plain scalar is a string (only null and merge keys resolve).

    YAML 1.1 silently turns ``yes``/``no``/``on`` into booleans, ``16:05`` into 965 and
    ``1.10`` into 1.1; in suite files those are field values and versions, so they must stay
    the text the author wrote. Pydantic still parses ``n: 200`` as an integer.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag in (_NULL, _MERGE)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def format_field(loc: Iterable[str | int]) -> str | None:
    """Render a location as ``protocol.decide[1].then`` (``None`` for the document root)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or None


@dataclass
class Document:
    """Parsed YAML plus the line of every location in it.

    Attributes:
        path: The file name used in error messages.
        data: The constructed Python data (dicts, lists, strings, ``None``).
        lines: Location -> 1-based line of its key (mapping entries) or item (list entries).
        nodes: Location -> the YAML node of the value, for block-scalar line offsets.
    """

    path: str | None
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    nodes: dict[Loc, yaml.Node] = field(default_factory=dict)

    def line(self, loc: Loc) -> int | None:
        """Line of ``loc``, or of its nearest enclosing location that is in the file."""
        for end in range(len(loc), -1, -1):
            found = self.lines.get(loc[:end])
            if found is not None:
                return found
        return None

    def value_line(self, loc: Loc, offset: int = 1) -> int | None:
        """Line of line ``offset`` (1-based) inside the string value at ``loc``.

        Used to point into a Jinja template: a block scalar (``|`` or ``>``) starts on the line
        after its indicator, a flow scalar on its own line.
        """
        node = self.nodes.get(loc)
        if not isinstance(node, yaml.ScalarNode):
            return self.line(loc)
        first = node.start_mark.line + 1
        if node.style in ("|", ">"):
            first += 1
        return first + max(offset, 1) - 1

    def error(self, loc: Loc, message: str, *, line: int | None = None) -> SuiteError:
        """A :class:`SuiteError` for ``loc`` in this document."""
        return SuiteError(
            message,
            path=self.path,
            line=line if line is not None else self.line(loc),
            field=format_field(loc),
        )

    def require_schema(self, expected: str) -> dict[str, Any]:
        """Check that the document is a mapping tagged ``schema: <expected>`` and return it.

        Raises:
            SuiteError: The document is empty, not a mapping, untagged or tagged otherwise.
        """
        if self.data is None:
            raise SuiteError(
                f"empty file; expected a mapping with schema: {expected}", path=self.path, line=1
            )
        if not isinstance(self.data, dict):
            raise self.error(
                (), f"expected a mapping with schema: {expected}, got {_describe(self.data)}"
            )
        tag = self.data.get("schema")
        if tag is None:
            raise self.error(("schema",), f"missing; the first line should be: schema: {expected}")
        if tag != expected:
            hint = _SCHEMAS.get(str(tag))
            what = f"this is {hint}" if hint else "unknown schema"
            raise self.error(("schema",), f"expected {expected}, got {tag!r} ({what})")
        return self.data

    def validation_error(self, exc: ValidationError, prefix: Loc = ()) -> SuiteError:
        """Turn the first (by line) pydantic error into a :class:`SuiteError`.

        Args:
            exc: The pydantic error, raised validating the data at ``prefix``.
            prefix: Where in this document the validated data sits.
        """
        details = exc.errors()
        missing = {
            (prefix + tuple(e["loc"][:-1]), str(e["loc"][-1]))
            for e in details
            if e["type"] == "missing" and e["loc"]
        }
        errors = [
            (err["type"] == "missing", self._convert(err, prefix, missing)) for err in details
        ]
        # A missing field is reported at its parent's line, which is earlier than the real
        # problem when a typo caused it; report the typo (the unknown key) first.
        ranked = min(errors, key=lambda e: (e[0], e[1].line is None, e[1].line or 0))
        return ranked[1]

    def _convert(self, err: ErrorDetails, prefix: Loc, missing: set[tuple[Loc, str]]) -> SuiteError:
        full = prefix + tuple(err["loc"])
        loc = self._data_loc(full, missing=err["type"] == "missing")
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            message = "required field is missing"
        elif err["type"] == "extra_forbidden":
            message = "unknown field"
            absent = [name for parent, name in missing if parent == full[:-1]]
            close = difflib.get_close_matches(str(full[-1]), absent, n=1)
            if close:
                message += f"; did you mean {close[0]!r}?"
        elif err["type"] in _TYPE_WORDS:
            message = f"should be {_TYPE_WORDS[err['type']]}, got {_describe(err['input'])}"
        elif err["type"] == "literal_error":
            message = f"{message.removeprefix('Input ')}, got {_describe(err['input'])}"
        return self.error(loc, message)

    def _data_loc(self, loc: Loc, *, missing: bool) -> Loc:
        # Pydantic adds entries that are not in the data (union member names, "[key]");
        # keep only the ones that are, plus the last one when it is the missing field.
        out: list[str | int] = []
        cur: Any = self.data
        for i, part in enumerate(loc):
            if isinstance(cur, dict) and part in cur:
                cur = cur[part]
            elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
                cur = cur[part]
            elif not (missing and i == len(loc) - 1):
                continue
            out.append(part)
        return tuple(out)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def load_document(path: Path, shown: str) -> Document:
    """Read and parse a YAML file.

    Args:
        path: The file to read.
        shown: How to name it in error messages.

    Raises:
        SuiteError: The file is missing, unreadable, not UTF-8, or not valid YAML.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SuiteError("file not found", path=shown) from None
    except IsADirectoryError:
        raise SuiteError("is a directory, not a YAML file", path=shown) from None
    except UnicodeDecodeError as exc:
        raise SuiteError(f"not UTF-8 text ({exc.reason})", path=shown) from None
    except OSError as exc:
        raise SuiteError(f"cannot read file: {exc.strerror}", path=shown) from None
    return parse_document(text, shown)


def parse_document(text: str, shown: str | None) -> Document:
    """Parse YAML text into a :class:`Document`.

    Raises:
        SuiteError: The text is not valid YAML (line taken from the parser's marker), holds
            several documents, or has a key twice in one mapping.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_duplicates(node, shown, (), set())
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        at_end = "end of stream" in problem or "<stream end>" in problem
        if exc.context_mark is not None and at_end:
            # Something left open (a bracket, a quote) is only noticed at the end of the file;
            # the line where it was opened is the one to fix.
            mark = exc.context_mark
        if exc.context:
            problem = f"{problem} ({exc.context})"
        raise SuiteError(
            f"invalid YAML: {problem}",
            path=shown,
            line=mark.line + 1 if mark is not None else None,
        ) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise SuiteError(f"invalid YAML: {exc}", path=shown) from None
    finally:
        loader.dispose()
    doc = Document(shown, data)
    if node is not None:
        # Walk after construction: constructing merge keys (<<) rewrites the node tree.
        _walk(doc, node, (), set())
    return doc


def _check_duplicates(node: yaml.Node, shown: str | None, loc: Loc, stack: set[int]) -> None:
    # PyYAML keeps the last of two equal keys without a word; in a suite that hides a typo
    # or a half-edited rule. Checked before construction, which flattens merge keys (<<).
    if id(node) in stack:
        return
    stack.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            if key in seen and key != "<<":
                raise SuiteError(
                    f"duplicate key {key!r} in this mapping",
                    path=shown,
                    line=key_node.start_mark.line + 1,
                    field=format_field((*loc, key)),
                )
            seen.add(key)
            _check_duplicates(value_node, shown, (*loc, key), stack)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _check_duplicates(item, shown, (*loc, index), stack)
    stack.discard(id(node))


def _walk(doc: Document, node: yaml.Node, loc: Loc, stack: set[int]) -> None:
    doc.nodes[loc] = node
    doc.lines.setdefault(loc, node.start_mark.line + 1)
    if id(node) in stack:  # an alias that refers to an enclosing node
        return
    stack.add(id(node))
    if isinstance(node, yaml.MappingNode):
        # After merge flattening a key may appear twice; the later (local) entry wins,
        # as it does in the constructed data.
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            doc.lines[(*loc, key)] = key_node.start_mark.line + 1
            _walk(doc, value_node, (*loc, key), stack)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(doc, item, (*loc, index), stack)
    stack.discard(id(node))
