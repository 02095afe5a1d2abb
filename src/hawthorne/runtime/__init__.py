"""The local-model runtime: batched decoding of any Hugging Face causal LM directory.

Organisms, the white-box detectors and the Inspect provider all answer through one
:class:`Engine`, which decodes plain Llama networks (the organisms) with a lean kernel of its
own and computes a batch's shared prompt prefix once; :func:`prompt_ids` renders a conversation
under the model's chat template and :func:`left_pad` stacks prompts into one batch. An
:class:`EngineHost` (:func:`engine_host` for the process-wide one) keeps engines in a child
process, so an audit's decoding and Inspect's event loop each have a core.
"""

from hawthorne.runtime._engine import MAX_NEW_TOKENS, Engine, Message
from hawthorne.runtime._host import EngineHost, HostedEngine, HostError, engine_host
from hawthorne.runtime._tokens import left_pad, prompt_ids

__all__ = [
    "Engine",
    "EngineHost",
    "HostError",
    "HostedEngine",
    "MAX_NEW_TOKENS",
    "Message",
    "engine_host",
    "left_pad",
    "prompt_ids",
]
