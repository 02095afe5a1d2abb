"""Test set-up: keep Inspect's data, cache and logs inside a temporary folder, offline."""

import os
import tempfile
from pathlib import Path

_ROOT = Path(tempfile.mkdtemp(prefix="hawthorne-tests-"))
# Set before anything imports Inspect: it reads these at import time.
os.environ["XDG_DATA_HOME"] = str(_ROOT / "data")
os.environ["XDG_CACHE_HOME"] = str(_ROOT / "cache")
os.environ["INSPECT_CACHE_DIR"] = str(_ROOT / "inspect-cache")
os.environ["INSPECT_LOG_DIR"] = str(_ROOT / "logs")
os.environ.setdefault("INSPECT_DISPLAY", "none")
os.environ["HF_HUB_OFFLINE"] = "1"
