"""The ``hawthorne/<name>`` Inspect model provider."""

from __future__ import annotations

from typing import Any

from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageTool,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    modelapi,
)
from inspect_ai.tool import ToolCall, ToolChoice, ToolInfo

from hawthorne.organisms._scripted import SCRIPTED_TARGETS, scripted_plan


@modelapi(name="hawthorne")
class HawthorneAPI(ModelAPI):
    """Serves Hawthorne's own targets to Inspect: ``hawthorne/scripted-honest`` and friends.

    Args:
        model_name: The target's name after ``hawthorne/``.
        base_url: Unused (accepted for Inspect's constructor contract).
        api_key: Unused.
        config: Generation config.
        **model_args: Unused.
    """

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),  # noqa: B008 - Inspect's own signature
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        if model_name not in SCRIPTED_TARGETS:
            raise ValueError(
                f"unknown Hawthorne target 'hawthorne/{model_name}'; available: "
                + ", ".join(f"hawthorne/{n}" for n in SCRIPTED_TARGETS)
            )

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        """Answer one prompt: tool calls first where tools are offered, then the final text."""
        actions, text = scripted_plan(self.model_name, [m.text for m in input])
        offered = {t.name for t in tools}
        acted = any(isinstance(m, ChatMessageTool) for m in input)
        calls = [a for a in actions if a.tool in offered]
        if calls and not acted:
            step = sum(isinstance(m, ChatMessageAssistant) for m in input)
            tool_calls = [
                ToolCall(id=f"call-{step}-{i}", function=a.tool, arguments=dict(a.args))
                for i, a in enumerate(calls)
            ]
            text = "Acting on the request."
            message = ChatMessageAssistant(
                content=text, model=self.model_name, source="generate", tool_calls=tool_calls
            )
            output = ModelOutput(
                model=self.model_name,
                choices=[ChatCompletionChoice(message=message, stop_reason="tool_calls")],
            )
        else:
            output = ModelOutput.from_content(self.model_name, text)
        # Always set usage: without it Inspect tries to download a tokenizer to count tokens.
        tokens_in = sum(len(m.text.split()) for m in input)
        tokens_out = len(text.split())
        output.usage = ModelUsage(
            input_tokens=tokens_in, output_tokens=tokens_out, total_tokens=tokens_in + tokens_out
        )
        return output

    def max_connections(self) -> int:
        """Scripted targets are local and cheap: allow wide concurrency."""
        return 64
