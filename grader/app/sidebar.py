"""Sidebar settings: the optional LLM (provider, model, base URL, API key) and where history lives.

The API key is a password field kept only in this browser session's state: never written to
disk, history, reports or logs.
"""

from __future__ import annotations

from urllib.parse import urlparse

import streamlit as st

from grader.app import state
from grader.app.safe import inert
from grader.errors import ConfigError
from grader.llm.config import DEFAULT_OPENAI_MODEL, LLMConfig, load_config
from grader.practice.history import default_path

PROVIDERS = {
    "none": "None (deterministic grader only)",
    "openai": "OpenAI API",
    "openai-compatible": "OpenAI-compatible server (e.g. a local llama.cpp)",
}


def render() -> None:
    with st.sidebar:
        st.subheader("Settings")
        provider = st.selectbox(
            "LLM assistance",
            list(PROVIDERS),
            format_func=PROVIDERS.get,
            key="llm_provider",
            help="Optional: an LLM refines judgements within bounds and writes a summary.",
        )
        if provider != "none":
            st.text_input(
                "Model",
                key="llm_model",
                placeholder=DEFAULT_OPENAI_MODEL
                if provider == "openai"
                else "the name the server serves",
            )
            st.text_input(
                "Base URL",
                key="llm_base_url",
                placeholder="https://api.openai.com/v1"
                if provider == "openai"
                else "http://127.0.0.1:8080/v1",
            )
            st.text_input(
                "API key",
                key=state.API_KEY,
                type="password",
                help="Kept only in this browser session; never saved to disk or history. "
                "Empty: the server's OPENAI_API_KEY or MLSD_LLM_API_KEY, if set.",
            )
            try:
                config = llm_config()
            except ConfigError as exc:
                st.error(inert(state.redact(str(exc))))
            else:
                if config is not None and config.is_remote:
                    host = urlparse(config.base_url or "https://api.openai.com").hostname
                    st.warning(
                        f"Your answers will be sent to {inert(host or 'a remote server')} "
                        "when you grade with the LLM."
                    )
                elif config is not None:
                    st.caption("The LLM server is on this machine: answers stay local.")
        st.divider()
        st.caption(f"History is saved in `{default_path()}` (set `MLSD_DATA_DIR` to change it).")


def llm_config() -> LLMConfig | None:
    """The LLM configuration: this session's settings over the server's environment and config file
    (timeouts, retries; a key only when the field is empty). None when no LLM is chosen.
    Raises ConfigError (one line) when the settings are incomplete."""
    provider = st.session_state.get("llm_provider", "none")
    if provider == "none":
        return None

    def text(key: str) -> str | None:
        return (st.session_state.get(key) or "").strip() or None

    try:
        return load_config(
            provider=provider,
            model=text("llm_model"),
            base_url=text("llm_base_url"),
            api_key=text(state.API_KEY),
        )
    except ConfigError as exc:  # the CLI's wording names flags; say it in the app's terms
        raise ConfigError(_in_app_terms(str(exc))) from None


def _in_app_terms(message: str) -> str:
    if "API key" in message:
        return "OpenAI needs an API key: paste it in the API key field"
    if "base-url" in message:
        return "an OpenAI-compatible server needs its base URL, e.g. http://127.0.0.1:8080/v1"
    if "--model" in message:
        return "an OpenAI-compatible server needs the model name it serves"
    return message
