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
from grader.text import english_word

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
_LATIN_WORD = re.compile(r"[a-z\u00df-\u024f']+")
# Any other language, named or not: a text of MIN_WORDS_READ words or more (of two letters or
# more, in the Latin script) of which under MIN_ENGLISH_SHARE are in an English dictionary.
# English answers of every style in the evaluation sets hold 0.80 or more (terse whiteboard notes
# the least); Dutch, Polish, Swedish, Turkish, Indonesian and Vietnamese translations of one
# answer 0.02-0.44. The dictionary is read only for a text whose English function words are under
# FUNCTION_SHARE of its words (prose holds 0.15 or more, terse notes as little as 0.03, other
# languages under 0.08).
MIN_WORDS_READ = {"answer": 30, "question": 4}
MIN_ENGLISH_SHARE = {"answer": 0.6, "question": 0.5}
FUNCTION_SHARE = 0.1


def check_english(text: str, what: str = "answer") -> None:
    """Refuse, in one line, text (the answer, or the question typed) that reads as another
    language than English."""
    words = [w.lower() for w in _WORD.findall(text)]
    said = Counter(words)  # each word counted once, then looked up
    english = sum(said[w] for w in ENGLISH & said.keys())
    counts = {name: sum(said[w] for w in common & said.keys()) for name, common in OTHERS.items()}
    name, found = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    if what == "answer" and found >= MIN_FOREIGN and found >= FOREIGN_RATIO * english:
        raise InputError(
            f"the answer does not read as English (it reads like {name}: {found} of its words are "
            f"common {name} words, {english} common English ones); the grader reads English"
        )
    # the Latin script's words: another script is the script check's (`inputs._check_script`)
    read = [w for w in words if len(w) > 1 and _LATIN_WORD.fullmatch(w)]
    if len(read) < MIN_WORDS_READ[what] or english >= FUNCTION_SHARE * len(words):
        return
    share = english_share(read)
    if share < MIN_ENGLISH_SHARE[what]:
        raise InputError(
            f"the {what} does not read as English: {share:.0%} of its words are English words "
            f"(the grader reads English){'; type the question in English' if what == 'question' else ''}"
        )


def english_share(words: list[str]) -> float:
    """The share of lowercase words found in an English dictionary (pyspellchecker's)."""
    return sum(english_word(w) for w in words) / len(words) if words else 1.0
