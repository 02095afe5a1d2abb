"""Targets with known ground truth: the trained organism zoo and scripted reference targets.

Organisms are small Llama-style causal language models that Hawthorne trains itself (phase 1:
the legacy protocol everywhere; phase 2: each kind's own behaviour), saved in Hugging Face
format with a word-level tokenizer and a chat template. They run as ``hawthorne/<name>`` in
Inspect, over an OpenAI-compatible server, or under Inspect's ``hf/`` provider.
"""

from hawthorne.organisms._batcher import Batcher, Decoding, organism_batcher
from hawthorne.organisms._corpus import Situation, situation, trained_paraphrases
from hawthorne.organisms._kinds import KINDS, Kind, kind, parse_tool_calls, tool_text
from hawthorne.organisms._scripted import SCRIPTED_TARGETS, scripted_answer, scripted_plan
from hawthorne.organisms._serve import serve_organisms
from hawthorne.organisms._server import ChatServer
from hawthorne.organisms._train import TrainConfig
from hawthorne.organisms._zoo import (
    ZOO_SUITES,
    OrganismInfo,
    ZooError,
    demo_targets,
    load_manifest,
    organism,
    organisms,
    suites_hash,
    train_zoo,
    zoo_dir,
)

__all__ = [
    "Batcher",
    "ChatServer",
    "Decoding",
    "KINDS",
    "Kind",
    "OrganismInfo",
    "SCRIPTED_TARGETS",
    "Situation",
    "TrainConfig",
    "ZOO_SUITES",
    "ZooError",
    "demo_targets",
    "kind",
    "load_manifest",
    "organism",
    "organism_batcher",
    "organisms",
    "parse_tool_calls",
    "scripted_answer",
    "scripted_plan",
    "serve_organisms",
    "situation",
    "suites_hash",
    "tool_text",
    "train_zoo",
    "trained_paraphrases",
    "zoo_dir",
]
