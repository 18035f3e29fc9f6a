"""Prompt files: load `prompts/*.md` (front matter + Jinja sections) and render them strictly."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import frontmatter
import jinja2
from jinja2 import meta

from grader.errors import PromptError
from grader.settings import settings

_SECTION = re.compile(r"^## (system|user)\s*$", re.MULTILINE)
_ENV = jinja2.Environment(
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
    trim_blocks=False,
    lstrip_blocks=False,
)
_DELIMITER = re.compile(r"<(/?)(answer)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Prompt:
    id: str
    version: str
    variables: tuple[str, ...]
    system: jinja2.Template
    user: jinja2.Template

    @property
    def tag(self) -> str:
        return f"{self.id}@{self.version}"

    def render(self, **values) -> tuple[str, str]:
        """(system, user) text; fails on any missing or undeclared variable."""
        given, declared = set(values), set(self.variables)
        if given != declared:
            missing, extra = sorted(declared - given), sorted(given - declared)
            raise PromptError(
                f"prompt {self.tag}: missing variables {missing}, unknown variables {extra}"
            )
        try:
            return self.system.render(**values).strip(), self.user.render(**values).strip()
        except jinja2.UndefinedError as exc:
            raise PromptError(f"prompt {self.tag}: {exc}") from None


def neutralise(answer: str) -> str:
    """Make `<answer>` / `</answer>` inside the candidate's text inert, so it cannot close the data block."""
    return _DELIMITER.sub(lambda m: f"\u2039{m.group(1)}{m.group(2)}", answer)


def parse_prompt(text: str, name: str) -> Prompt:
    post = frontmatter.loads(text)
    try:
        pid, version, variables = str(post["id"]), str(post["version"]), tuple(post["variables"])
    except KeyError as exc:
        raise PromptError(
            f"{name}: front matter needs id, version and variables (missing {exc})"
        ) from None
    parts = _SECTION.split(post.content)
    sections = dict(zip(parts[1::2], parts[2::2]))
    if set(sections) != {"system", "user"}:
        raise PromptError(f"{name}: needs a '## system' and a '## user' section")
    try:
        used = set()
        for body in sections.values():
            used |= meta.find_undeclared_variables(_ENV.parse(body))
        templates = {k: _ENV.from_string(v) for k, v in sections.items()}
    except jinja2.TemplateSyntaxError as exc:
        raise PromptError(f"{name}: template error on line {exc.lineno}: {exc.message}") from None
    if used != set(variables):
        raise PromptError(
            f"{name}: template uses {sorted(used)} but front matter declares {sorted(variables)}"
        )
    return Prompt(pid, version, variables, templates["system"], templates["user"])


@functools.lru_cache(maxsize=None)
def load_prompt(prompt_id: str, folder: Path | None = None) -> Prompt:
    path = (folder or settings().prompts_dir) / f"{prompt_id}.md"
    if not path.exists():
        raise PromptError(f"prompt file {path} is missing")
    prompt = parse_prompt(path.read_text(encoding="utf-8"), path.name)
    if prompt.id != prompt_id:
        raise PromptError(
            f"{path.name}: front matter id '{prompt.id}' does not match the file name"
        )
    return prompt
