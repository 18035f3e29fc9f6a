"""The optional LLM layer: configuration, prompts, grounded judgements, follow-ups and summary."""
