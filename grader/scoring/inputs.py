"""What the grader refuses before reading: a question or an answer it cannot grade, in one line."""

from __future__ import annotations

import re

from grader.answers.decode import check_length
from grader.answers.language import check_english
from grader.errors import InputError
from grader.scoring.injection import HIDDEN
from grader.scoring.segment import count_words, without_markup
from grader.settings import settings

# an interviewer's question may carry a paragraph of context; the same limit everywhere (the CLI,
# the API's field, the app's box)
MAX_QUESTION_CHARS = 3000


# one word naming an answer's file ("answers/ana.md"): the answer's path typed as the question
_FILE_NAME = re.compile(
    r"\S*[/\\]\S*|\S+\.(?:md|markdown|txt|text|html?|docx|pdf|ipynb|srt|vtt|json|jsonl|csv|tsv"
    r"|wav|mp3|m4a|ogg|oga|opus|webm|flac|mp4)",
    re.IGNORECASE,
)


# one word spelt as a command-line option ("--save", "-o"): an option taken as the question's value
# (`mlsd grade a.md -q --save`) when the question itself was left out
_OPTION = re.compile(r"--?[A-Za-z][\w-]*")


def check_question(question: str) -> str:
    """Reject a question that is not text (bytes that are not UTF-8 arrive as surrogates), is
    longer than MAX_QUESTION_CHARS, holds fewer than two letters ("?", "x": graded and saved, they
    had read as a question), is one word naming a file (an answer's path typed where the question
    goes) or is spelt as a command-line option."""
    if not isinstance(question, str) or not question.strip():
        raise InputError("the question is empty: give a case id or the question text")
    if _OPTION.fullmatch(question.strip()):
        raise InputError(
            f"the question {question.strip()!r} reads as a command-line option, not a question: "
            "give the question's text or a case id right after -q"
        )
    if _FILE_NAME.fullmatch(question.strip()):
        raise InputError(
            f"the question {question.strip()!r} reads as a file's name, not a question: give the "
            "question's text or a case id (mlsd questions lists them)"
        )
    if len(_ANY_LETTER.findall(question)) < 2:  # "?", "x": a slip, not a question to save
        raise InputError(
            f"the question {question.strip()!r} has no word to read: give the question's text or "
            "a case id (mlsd questions lists them)"
        )
    if len(question) > MAX_QUESTION_CHARS:
        raise InputError(
            f"the question has {len(question):,} characters, over the limit of "
            f"{MAX_QUESTION_CHARS:,}: keep its context to a paragraph"
        )
    try:
        question.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            "the question is not valid UTF-8 text: retype it or pass a case id"
        ) from None
    check_english(question, "question")
    return question


# A text whose visible characters are mostly outside the Latin script and ASCII's symbols (random
# bytes read as text, a paste of symbols or control characters) is not graded: the answers of every
# style in the evaluation sets hold 99% or more of them, markup included.
MIN_READ_CHARS = 40
MIN_LATIN_SHARE = 0.3
_VISIBLE = re.compile(r"\S")
_COMBINING = re.compile(r"[\u0300-\u036f]+")
_ANY_LETTER = re.compile(r"[^\W\d_]")  # a letter of any script
# a paste of markup alone (a page's empty shell) is short; a longer text is graded as it is
MARKUP_ONLY_CHARS = 20_000
_LATIN = re.compile(r"[\x21-\x7e\u00c0-\u024f\u2010-\u2027\u2190-\u21ff]")


def _check_script(answer: str) -> None:
    """Refuse text whose visible characters are mostly outside the Latin script and ASCII.
    Hidden characters are the steering check's, not this one's; accents are read with their letter."""
    shown = _COMBINING.sub("", HIDDEN.sub("", answer))
    visible = len(_VISIBLE.findall(shown))
    latin = len(_LATIN.findall(shown))
    if visible >= MIN_READ_CHARS and latin < MIN_LATIN_SHARE * visible:
        raise InputError(
            f"the answer does not read as English text: {latin / visible:.0%} of its characters "
            "are Latin letters, digits or punctuation (the grader reads English)"
        )


def check_text(answer: object) -> str:
    """Reject an answer that is not text: not a string (bytes, None), or a string no UTF-8 file
    holds (a lone surrogate, from bytes decoded with `surrogateescape` or a broken JSON escape)."""
    if not isinstance(answer, str):
        raise InputError("the answer must be text")
    try:
        answer.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"the answer is not valid text (a lone surrogate at character {exc.start + 1:,}, from "
            "bytes that are not UTF-8 or a broken escape): save it as UTF-8 and try again"
        ) from None
    return answer


def answer_words(answer: str) -> int:
    """The words the length limit counts (hidden characters are blanked before grading: they
    split words)."""
    return count_words(HIDDEN.sub(" ", answer))


def check_answer(answer: str) -> str:
    """Reject answers that cannot be graded, with one clear line."""
    check_text(answer)
    if "\x00" in answer:
        raise InputError("the answer contains NUL bytes: it looks like a binary file, not text")
    if not answer.strip():
        raise InputError("the answer is empty: paste or upload the text of your design")
    check_length(answer)
    if not _ANY_LETTER.search(answer):
        raise InputError("the answer has no words: write or paste the text of your design")
    if len(answer) <= MARKUP_ONLY_CHARS and not _ANY_LETTER.search(without_markup(answer)):
        raise InputError(
            "the answer has no words outside its markup (HTML tags, entities, link and image "
            "addresses): paste the text of your design"
        )
    if not answer.isascii():  # ASCII text is all Latin letters, digits and symbols
        _check_script(answer)
    check_english(answer)
    words = answer_words(answer)
    if words > settings().max_words:
        raise InputError(
            f"the answer has {words:,} words, over the limit of {settings().max_words:,} (the MLSD_MAX_WORDS setting)"
        )
    return answer
