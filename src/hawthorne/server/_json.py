"""JSON answers with non-ASCII escaped.

An answer may quote the request (an invalid item's id, a field's name); escaped, it stays valid
UTF-8 even when the request held a lone surrogate, which plain UTF-8 encoding would refuse.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import JSONResponse

__all__ = ["AsciiJSONResponse"]


class AsciiJSONResponse(JSONResponse):
    """A JSON response whose body is ASCII (``ensure_ascii``)."""

    def render(self, content: Any) -> bytes:
        """Serialise ``content``."""
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")
