"""Generated adversarial answers: keyword salads made of the rubric's own terms."""

from __future__ import annotations

from grader.knowledge.notes import KnowledgeBase


def keyword_salads(kb: KnowledgeBase) -> list[str]:
    """Answers that name every component without saying anything about any of them."""
    concepts = list(kb.concepts.values())
    return [
        ", ".join(c.title for c in concepts) + ".",
        " ".join(f"We will handle {c.title.lower()}." for c in concepts),
        " ".join(k for c in concepts for k in c.keywords[:3]),
        "\n".join(f"- {c.title}: {', '.join(c.keywords[:4])}" for c in concepts),
        "\n".join(f"{c.title}. " + " ".join(c.keywords) for c in concepts),
        " ".join(f"{c.title}." for c in concepts),
        "\n".join(
            f"We need to think about {c.keywords[0]} and {c.keywords[1]} here." for c in concepts
        ),
        "\n\n".join(
            f"## {c.title}\nThis is important and we will make sure {c.keywords[0]} is handled properly."
            for c in concepts
        ),
    ]
