"""LLM configuration: CLI flags over environment variables over a config file over defaults.

The API key is a `SecretStr`: it prints as '**********' and is never written to reports,
history or logs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from grader.errors import ConfigError
from grader.settings import config_table, env
from grader.text import validation_line

Provider = Literal["none", "openai", "openai-compatible"]
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
# USD per million tokens (input, output) for models whose price is public; local servers cost nothing known.
PRICES = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-nano": (0.10, 0.40),
}


class LLMConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: Provider = "none"
    model: str | None = None
    base_url: str | None = None
    api_key: SecretStr | None = Field(default=None, repr=False)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    seed: int | None = 7
    timeout_s: float = Field(
        default=60.0, gt=0, description="Wall-clock limit of one request, retries included."
    )
    grading_timeout_s: float = Field(
        default=180.0, gt=0, description="Wall-clock limit of the LLM layer for one grading."
    )
    max_retries: int = Field(default=2, ge=0, le=10)
    max_tokens: int = Field(default=1024, ge=64)
    batch_size: int = Field(default=3, ge=1, le=30, description="Components judged per call.")
    max_components: int = Field(
        default=0,
        ge=0,
        description="Judge only the N components the rules are least "
        "sure about (scores nearest the status thresholds); 0 judges all.",
    )
    concurrency: int | None = Field(
        default=None,
        ge=1,
        le=16,
        description="Requests in flight at once; default 4 for OpenAI, 1 for local servers.",
    )
    backoff_s: float = Field(
        default=1.0, ge=0.0, description="First pause before a retry; doubles each time."
    )
    price_in_per_mtok: float | None = None
    price_out_per_mtok: float | None = None

    @property
    def enabled(self) -> bool:
        return self.provider != "none"

    @property
    def workers(self) -> int:
        return self.concurrency or (4 if self.provider == "openai" else 1)

    @property
    def model_name(self) -> str:
        return self.model or (DEFAULT_OPENAI_MODEL if self.provider == "openai" else "local")

    @property
    def is_remote(self) -> bool:
        """True when answers leave this machine (the OpenAI API, or a server not on loopback)."""
        if self.provider == "openai":
            return True
        if self.provider == "openai-compatible" and self.base_url:
            from urllib.parse import urlparse

            host = (urlparse(self.base_url).hostname or "").lower()
            return host not in {"127.0.0.1", "localhost", "::1"}
        return False

    def prices(self) -> tuple[float, float] | None:
        if self.price_in_per_mtok is not None and self.price_out_per_mtok is not None:
            return self.price_in_per_mtok, self.price_out_per_mtok
        return PRICES.get(self.model_name) if self.provider == "openai" else None

    def check(self) -> "LLMConfig":
        """Fail with one clear line when the provider cannot work as configured."""
        if self.provider == "openai" and not self.api_key:
            raise ConfigError(
                "--llm openai needs an API key: set OPENAI_API_KEY (or api_key in the config file)"
            )
        if self.provider == "openai-compatible":
            if not self.base_url:
                raise ConfigError(
                    "--llm openai-compatible needs --base-url (or MLSD_LLM_BASE_URL), e.g. http://127.0.0.1:8080/v1"
                )
            if not self.model:
                raise ConfigError(
                    "--llm openai-compatible needs --model (or MLSD_LLM_MODEL): the name the server serves"
                )
        return self


_ENV = {
    "provider": "MLSD_LLM",
    "model": "MLSD_LLM_MODEL",
    "base_url": "MLSD_LLM_BASE_URL",
    "timeout_s": "MLSD_LLM_TIMEOUT",
    "grading_timeout_s": "MLSD_LLM_GRADING_TIMEOUT",
    "max_tokens": "MLSD_LLM_MAX_TOKENS",
    "batch_size": "MLSD_LLM_BATCH",
    "max_retries": "MLSD_LLM_RETRIES",
    "concurrency": "MLSD_LLM_CONCURRENCY",
    "max_components": "MLSD_LLM_MAX_COMPONENTS",
}


def load_config(
    *,
    provider: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    use_file: bool = True,
) -> LLMConfig:
    """Resolve the LLM configuration (flags > env > the config file's [llm] table > defaults) and check it."""
    values = dict(config_table("llm")) if use_file else {}
    for field, var in _ENV.items():
        if env(var):
            values[field] = env(var)
    for field, value in (
        ("provider", provider),
        ("model", model),
        ("base_url", base_url),
        ("api_key", api_key),
    ):
        if value:
            values[field] = value
    chosen = values.get("provider", "none")
    if not values.get("api_key"):
        key = env("MLSD_LLM_API_KEY") or (env("OPENAI_API_KEY") if chosen == "openai" else None)
        if key:
            values["api_key"] = key
    try:
        config = LLMConfig(**values)
    except ValidationError as exc:
        raise ConfigError(f"LLM configuration: {validation_line(exc)}") from None
    return config.check()
