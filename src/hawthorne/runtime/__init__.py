"""The local-model runtime: batched decoding of any Hugging Face causal LM directory.

Organisms, the white-box detectors and the Inspect provider all answer through one
:class:`Engine`; :func:`prompt_ids` renders a conversation under the model's chat template and
:func:`left_pad` stacks prompts into one batch.
"""

from hawthorne.runtime._engine import MAX_NEW_TOKENS, Engine, Message
from hawthorne.runtime._tokens import left_pad, prompt_ids

__all__ = [
    "Engine",
    "MAX_NEW_TOKENS",
    "Message",
    "left_pad",
    "prompt_ids",
]
