"""Fake chat models for the LLM layer, built on langchain_core's GenericFakeChatModel.

`PolicyChatModel` answers each request with whatever its policy returns for the prompt it got
(an AIMessage with a tool call, or an exception to raise), so tests can run requests concurrently
and still script the replies per component.
"""

from __future__ import annotations

import itertools
import re
import threading
from typing import Any, Callable

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

_IDS = re.compile(
    r"Return one (?:verdict|follow-up) for each of(?: these component ids, in this order)?: ([a-z0-9_, ]+)\."
)
_counter = itertools.count()


def requested_ids(messages: list[BaseMessage]) -> list[str]:
    """The component ids a judge or follow-up request asks for."""
    match = _IDS.search(messages[1].content)
    return [x.strip() for x in match.group(1).split(",")] if match else []


def answer_text(messages: list[BaseMessage]) -> str:
    user = messages[1].content
    return user[user.index("<answer>\n") + 9 : user.rindex("\n</answer>")]


def kind(messages: list[BaseMessage]) -> str:
    system = messages[0].content
    return (
        "judge"
        if "judge only the components" in system
        else "follow_ups"
        if "follow-up" in system
        else "summary"
    )


def tool_call(name: str, args: dict, tokens: tuple[int, int] = (100, 20)) -> AIMessage:
    return AIMessage(
        content="",
        tool_calls=[
            {"name": name, "args": args, "id": f"call_{next(_counter)}", "type": "tool_call"}
        ],
        usage_metadata={
            "input_tokens": tokens[0],
            "output_tokens": tokens[1],
            "total_tokens": sum(tokens),
        },
    )


class PolicyChatModel(GenericFakeChatModel):
    """Replies come from `policy(messages, call_number)`; every request is recorded."""

    messages: Any = Field(default_factory=lambda: iter(()))
    policy: Callable[[list[BaseMessage], int], Any]
    requests: list = Field(default_factory=list)
    lock: Any = Field(default_factory=threading.Lock)

    def bind_tools(self, tools, **kwargs):
        return self

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        with self.lock:
            self.requests.append(list(messages))
            n = len(self.requests)
        reply = self.policy(list(messages), n)
        if isinstance(reply, BaseException):
            raise reply
        return ChatResult(generations=[ChatGeneration(message=reply)])


def sensible_policy(level: int = 2, quote_words: int = 8, bad_quote: bool = False):
    """A well-behaved model: one verdict per requested id, quoting the answer's first sentences."""

    def policy(messages, _n):
        k = kind(messages)
        ids = requested_ids(messages)
        text = answer_text(messages)
        line = next((ln for ln in text.splitlines() if len(ln.split()) >= quote_words), text)
        words = line.split()
        quote = (
            "this sentence is nowhere in the answer at all"
            if bad_quote
            else " ".join(words[:quote_words])
        )
        if k == "judge":
            return tool_call(
                "JudgeVerdicts",
                {
                    "verdicts": {
                        i: {"feedback": f"Feedback on {i}.", "quotes": [quote], "level": level}
                        for i in ids
                    }
                },
            )
        if k == "follow_ups":
            return tool_call(
                "FollowUpQuestions",
                {
                    "questions": {
                        i: {
                            "anchor": " ".join(words[:5]),
                            "question": f"You said this; how does {i} work?",
                        }
                        for i in ids
                    }
                },
            )
        return tool_call(
            "Summary",
            {
                "summary": "A solid design with gaps.",
                "improvements": ["Add one.", "Add two.", "Add three."],
            },
        )

    return policy
