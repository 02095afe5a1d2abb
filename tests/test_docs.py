"""The documentation lives in the repository: every link in README.md and docs/ resolves there.

A relative link (or image) must name a file or folder inside the repository that git does not
ignore, and an anchor (``#...``) must name a heading of the target file, slugged the way GitHub
slugs headings. Nothing may point outside the repository (``../shared`` least of all).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
# [text](target "title") and ![alt](target); the text may hold one level of [brackets].
_INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]"  # [text]
    r"\(\s*(<[^>]*>|[^)\s]+)(?:\s+\"[^\"]*\")?\s*\)"  # (target "title")
)
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_HTML_ANCHOR = re.compile(r"<a\s[^>]*(?:id|name)=\"([^\"]+)\"", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def doc_files(root: Path = ROOT) -> list[Path]:
    """README.md and every Markdown file under docs/."""
    return [root / "README.md", *sorted((root / "docs").rglob("*.md"))]


def _prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks, with code spans blanked."""
    out: list[tuple[int, str]] = []
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        out.append((number, _CODE_SPAN.sub(lambda m: "x" * len(m.group(0)), line)))
    return out


def slug(heading: str) -> str:
    """GitHub's anchor for a heading's text (github-slugger: lower case, punctuation dropped).

    Code spans count as their literal text (``<target>`` in one is text, not a tag); outside
    them links and images count as their text and inline HTML as nothing.
    """
    parts = re.split(r"(`+[^`]*`+)", heading)
    text = ""
    for index, part in enumerate(parts):
        if index % 2:
            text += part.strip("`")
        else:
            part = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", part)
            text += re.sub(r"<[^>]+>", "", part).replace("*", "")
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every anchor a Markdown file defines: heading slugs (deduplicated) and HTML anchors."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    previous = ""
    fence: str | None = None
    for line in text.splitlines():
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence, previous = opening.group(1), ""
            continue
        heading = None
        atx = _ATX.match(line)
        if atx:
            heading = atx.group(2)
        elif _SETEXT.match(line) and previous.strip() and not previous.lstrip().startswith("|"):
            heading = previous.strip()
        if heading is not None:
            base = slug(heading)
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
        found.update(_HTML_ANCHOR.findall(line))
        previous = "" if heading is not None else line
    return found


def links(text: str) -> list[tuple[int, str]]:
    """(line number, target) of every inline link, image and reference definition."""
    out: list[tuple[int, str]] = []
    for number, line in _prose_lines(text):
        for match in _INLINE_LINK.finditer(line):
            out.append((number, match.group(1).strip("<>")))
        reference = _REFERENCE.match(line)
        if reference:
            out.append((number, reference.group(1).strip("<>")))
    return out


def _ignored(root: Path, paths: Sequence[Path]) -> set[Path]:
    """The paths git ignores, when ``root`` is a git work tree (else none)."""
    if not paths:
        return set()
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "check-ignore", "--stdin"],
            input="\n".join(str(p.relative_to(root)) for p in paths),
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    if done.returncode not in (0, 1):  # 128: not a git work tree
        return set()
    return {(root / line).resolve() for line in done.stdout.splitlines() if line}


def check_links(files: Iterable[Path], root: Path = ROOT) -> list[str]:
    """Every broken or escaping link in ``files``, as ``file:line: target: why``."""
    root = root.resolve()
    problems: list[str] = []
    resolved: list[tuple[str, Path]] = []
    for file in files:
        file = file.resolve()
        where = file.relative_to(root).as_posix()
        for number, target in links(file.read_text(encoding="utf-8")):
            at = f"{where}:{number}: {target}"
            if "../shared" in target:
                problems.append(f"{at}: points at ../shared, outside the repository")
                continue
            if target.startswith("//") or (
                _SCHEME.match(target) and not target.lower().startswith("file:")
            ):
                continue  # a web address: not this test's business
            if target.lower().startswith("file:"):
                problems.append(f"{at}: a file: URL points outside the repository")
                continue
            path_part, _, fragment = unquote(target).partition("#")
            if not path_part:
                path = file
            elif path_part.startswith("/"):
                path = (root / path_part.lstrip("/")).resolve()
            else:
                path = (file.parent / path_part).resolve()
            if path != root and root not in path.parents:
                problems.append(f"{at}: escapes the repository")
                continue
            if not path.exists():
                problems.append(f"{at}: no such file")
                continue
            resolved.append((at, path))
            if fragment:
                if path.is_dir() or path.suffix.lower() != ".md":
                    problems.append(f"{at}: an anchor into something that is not Markdown")
                elif fragment not in anchors(path.read_text(encoding="utf-8")):
                    problems.append(f"{at}: no heading #{fragment} in {path.name}")
    ignored = _ignored(root, [p for _, p in resolved])
    problems += [f"{at}: git ignores it, so no clone has it" for at, p in resolved if p in ignored]
    return problems


def test_every_link_in_readme_and_docs_resolves_inside_the_repository() -> None:
    assert check_links(doc_files()) == []


def test_the_docs_are_there_and_the_readme_leads_to_them() -> None:
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    for page in ("index.md", "formats.md", "statistics.md", "architecture.md", "benchmarks.md"):
        assert page in pages
    readme_targets = {target for _, target in links((ROOT / "README.md").read_text())}
    assert "docs/index.md" in readme_targets


def test_nothing_mentions_the_shared_folder() -> None:
    # Not even in a code block: a user's clone has no ../shared.
    for file in doc_files():
        assert "../shared" not in file.read_text(encoding="utf-8"), file


def test_slugs_follow_github() -> None:
    assert slug("Model calls to a verdict (`bench/sequential.py`)") == (
        "model-calls-to-a-verdict-benchsequentialpy"
    )
    assert slug("`summary.json` (`hawthorne.summary/1`)") == "summaryjson-hawthornesummary1"
    assert slug("Reasoning–action consistency") == "reasoningaction-consistency"
    assert slug("Import graph") == "import-graph"
    assert slug("`whitebox/<target>.json`") == "whiteboxtargetjson"
    assert slug("The [zoo](zoo.md) <em>now</em> **bold**") == "the-zoo-now-bold"
    text = "# Title\n\n## Cues\n\ntext\n\n### Cues\n\nSetext\n------\n\n```\n# not a heading\n```\n"
    assert anchors(text) == {"title", "cues", "cues-1", "setext"}


def test_the_checker_finds_every_kind_of_broken_link(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    (tmp_path / "outside.md").write_text("# Outside\n")
    (repo / "docs" / "page.md").write_text("# Page\n\n## A section\n")
    (repo / "logo.png").write_bytes(b"png")
    (repo / "README.md").write_text(
        "\n".join(
            [
                "# Readme",  # line 1
                "[fine](docs/page.md) [fine](docs/page.md#a-section) [fine](#readme)",
                "![fine](logo.png) [web](https://example.org/x.md) [folder](docs/)",
                "[missing](docs/nope.md)",  # line 4
                "[bad anchor](docs/page.md#no-such-section)",
                "[escapes](../outside.md)",
                "[design](../shared/DESIGN.md)",
                "![missing image](img/none.png)",
                "[self](#nowhere)",  # line 9
                "`[in code](not/checked.md)`",
                "```",
                "[in a fence](not/checked.md)",
                "```",
                "[ref]: docs/gone.md",  # line 14
            ]
        )
    )
    problems = check_links([repo / "README.md"], root=repo)
    assert problems == [
        "README.md:4: docs/nope.md: no such file",
        "README.md:5: docs/page.md#no-such-section: no heading #no-such-section in page.md",
        "README.md:6: ../outside.md: escapes the repository",
        "README.md:7: ../shared/DESIGN.md: points at ../shared, outside the repository",
        "README.md:8: img/none.png: no such file",
        "README.md:9: #nowhere: no heading #nowhere in README.md",
        "README.md:14: docs/gone.md: no such file",
    ]
