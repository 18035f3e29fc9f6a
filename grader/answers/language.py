"""Whether an answer in the Latin script is written in English: the grader's rubric, cues and
models read English, and a Spanish design would be graded as off topic, not as Spanish.

Read from function words, the commonest words of a language and the ones any prose is made of:
an answer whose words include many of another language's and few of English's is not English.
Terse English notes hold few function words of either kind, so they pass; a paragraph in another
language inside an English answer is outnumbered by the English around it."""

from __future__ import annotations

import re
from collections import Counter

from grader.errors import InputError

# Each list leaves out words that are English too ("a", "in", "no", "die", "as", "on"), fillers
# included (Portuguese "um").
ENGLISH = frozenset(
    "the of and to is are we for with that this by it be from or which would will each their what "
    "how can not an at our they then than when where use used".split()
)
OTHERS: dict[str, frozenset[str]] = {
    "Spanish": frozenset(
        "el la los las del que y en un una para con por se es lo al como más pero sus su este esta "
        "entre cuando muy sin sobre también hasta desde donde porque cada".split()
    ),
    "French": frozenset(
        "le la les des du et est une un pour dans que qui sur pas par avec ce cette au aux ou sont "
        "nous vous il elle mais plus".split()
    ),
    "German": frozenset(
        "der das und ist mit für von den dem nicht ein eine auf zu auch sich wir werden wird oder "
        "bei nach aus".split()
    ),
    "Portuguese": frozenset("os do da dos das em uma para com não por mais se na ao que é".split()),
    "Italian": frozenset(
        "il la le di che è un una per con del della non sono gli nel alla anche come".split()
    ),
}
MIN_FOREIGN = 8  # another language's function words needed before an answer is refused
FOREIGN_RATIO = 3.0  # ... and this many times English's
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def check_english(text: str) -> None:
    """Refuse, in one line, text that reads as another language than English."""
    said = Counter(w.lower() for w in _WORD.findall(text))  # each word counted once, then looked up
    english = sum(said[w] for w in ENGLISH & said.keys())
    counts = {name: sum(said[w] for w in common & said.keys()) for name, common in OTHERS.items()}
    name, found = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    if found >= MIN_FOREIGN and found >= FOREIGN_RATIO * english:
        raise InputError(
            f"the answer does not read as English (it reads like {name}: {found} of its words are "
            f"common {name} words, {english} common English ones); the grader reads English"
        )
