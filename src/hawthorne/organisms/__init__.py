"""Targets with known ground truth: scripted reference targets (trained organisms follow)."""

from hawthorne.organisms._scripted import SCRIPTED_TARGETS, scripted_answer
from hawthorne.organisms._server import ChatServer

__all__ = [
    "ChatServer",
    "SCRIPTED_TARGETS",
    "scripted_answer",
]
