"""The ``hawthorne/<name>`` Inspect model provider: scripted targets and the organism zoo."""

from __future__ import annotations

import asyncio
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

from hawthorne.detectors import REFERENCE_JUDGE, reference_judge
from hawthorne.oracle import is_judge_prompt
from hawthorne.oracle import reference_judge as reference_decision
from hawthorne.organisms import (
    SCRIPTED_TARGETS,
    Batcher,
    Decoding,
    ZooError,
    organism,
    organism_batcher,
    organisms,
    parse_tool_calls,
    scripted_plan,
    tool_text,
)
from hawthorne.runtime import MAX_NEW_TOKENS, Message
from hawthorne.systems import Action


def chat_messages(messages: list[ChatMessage]) -> list[Message]:
    """Inspect messages as the organisms' chat template reads them.

    An organism's own tool-calling turn keeps the text it wrote (reasoning and ``<tool>`` calls);
    tool calls that came without such text are written out in the organisms' format.
    """
    out: list[Message] = []
    for m in messages:
        text = m.text
        if isinstance(m, ChatMessageAssistant) and m.tool_calls and "<tool>" not in text:
            calls = [Action(c.function, {k: str(v) for k, v in c.arguments.items()})
                     for c in m.tool_calls]  # fmt: skip
            text = tool_text(calls)
        out.append({"role": m.role, "content": text})
    return out


def _output(name: str, text: str, calls: list[Action], step: int) -> ModelOutput:
    if not calls:
        return ModelOutput.from_content(name, text)
    tool_calls = [
        ToolCall(id=f"call-{step}-{i}", function=a.tool, arguments=dict(a.args))
        for i, a in enumerate(calls)
    ]
    message = ChatMessageAssistant(
        content=text, model=name, source="generate", tool_calls=tool_calls
    )
    return ModelOutput(
        model=name, choices=[ChatCompletionChoice(message=message, stop_reason="tool_calls")]
    )


@modelapi(name="hawthorne")
class HawthorneAPI(ModelAPI):
    """Serves Hawthorne's own targets to Inspect: zoo organisms and scripted references.

    ``hawthorne/<organism>`` runs a trained organism of the zoo (concurrent requests are decoded
    in batches); ``hawthorne/scripted-honest`` and ``hawthorne/scripted-faker`` are the scripted
    references; ``hawthorne/reference-judge`` is the offline judge of the trace detectors and
    of the judge oracle.

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
        # Looked up once: finding it through the zoo's manifest on every request cost the
        # demo audit about a tenth of Inspect's (serial) event-loop time.
        self._batcher: Batcher | None = None
        if model_name not in SCRIPTED_TARGETS and model_name != REFERENCE_JUDGE:
            try:
                organism(model_name)
            except ZooError as err:
                known = [*(i.name for i in organisms()), *SCRIPTED_TARGETS, REFERENCE_JUDGE]
                raise ValueError(
                    f"unknown Hawthorne target 'hawthorne/{model_name}'; available: "
                    + ", ".join(f"hawthorne/{n}" for n in known)
                ) from err

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        """Answer one prompt: tool calls first where tools are offered, then the final text."""
        step = sum(isinstance(m, ChatMessageAssistant) for m in input)
        offered = {t.name: list(t.parameters.properties) for t in tools}
        if self.model_name == REFERENCE_JUDGE:
            prompt = input[-1].text
            if is_judge_prompt(prompt):  # the judge oracle: which decision an answer makes
                text = reference_decision(prompt)
            else:  # the trace judge: does the reasoning fake alignment
                temperature = 1.0 if config.temperature is None else config.temperature
                text = reference_judge(prompt, temperature, config.seed)
            calls, tokens_in, tokens_out = [], len(prompt.split()), len(text.split())
        elif self.model_name in SCRIPTED_TARGETS:
            actions, text = scripted_plan(self.model_name, [m.text for m in input])
            acted = any(isinstance(m, ChatMessageTool) for m in input)
            calls = [a for a in actions if a.tool in offered] if not acted else []
            if calls:
                text = "Acting on the request."
            tokens_in, tokens_out = sum(len(m.text.split()) for m in input), len(text.split())
        else:
            if self._batcher is None:
                self._batcher = organism_batcher(self.model_name)
            decoding = Decoding(
                max_new_tokens=config.max_tokens or MAX_NEW_TOKENS,
                temperature=config.temperature,
                seed=config.seed,
            )
            future = self._batcher.submit(chat_messages(input), decoding)
            text, tokens_in, tokens_out = await asyncio.wrap_future(future)
            calls = parse_tool_calls(text, offered) if offered else []
        output = _output(self.model_name, text, calls, step)
        # Always set usage: without it Inspect tries to download a tokenizer to count tokens.
        output.usage = ModelUsage(
            input_tokens=tokens_in, output_tokens=tokens_out, total_tokens=tokens_in + tokens_out
        )
        return output

    def max_connections(self) -> int:
        """Local targets: allow wide concurrency (organisms batch what arrives together)."""
        return 64
