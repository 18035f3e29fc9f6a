"""Lines of a written answer that give the interviewer's words ("Interviewer: How would you
monitor drift?", "> **Interviewer:** ...", "Q: ...?", "[14:02] Priya (interviewer): ..."): what was
asked is not what the candidate said. A written mock interview whose interviewer's questions
carried the design ("so you'd watch PSI on every feature and alert on a shift?") while the
candidate said "Yes, exactly" was credited drift 14 -> 63 in a helper's red-team test.

A turn runs on over the lines that are plainly still the interviewer's: a blockquote's next quoted
lines, or, where the candidate's side is labelled near it ("Me:", "Candidate:", "A:"), the lines
up to the next label, blank line, heading or bullet: a line broken mid-sentence, another question
after a question, the list of questions a line ending in a colon opens. An unlabelled line after
a sentence's end may be the candidate's answer, so it is not taken on a guess, and a candidate's
label later on the same line ("Interviewer: And drift? Me: PSI weekly.") ends the turn there.
What a design also writes is an asker only when it asks: "Q: 50k queries per second", "Recruiter:
sees the top 50 matches" or "| Interviewer | id, calendar |" is the design's. A transcript's
interviewer turns are set aside when it is read (`grader.answers.transcripts`); this is the same
rule for text that is not read as one."""

from __future__ import annotations

import bisect
import re

from grader.text import without_fenced_code

# a timestamp before a label: "[14:02]", "(14:02)", "14:02 -"
_STAMP = (
    r"(?:(?:[\[(][0-9:.]{4,12}[\])]|\d{1,2}:\d{2}(?::\d{2})?)[ \t]*(?:[-\u2013\u2014][ \t]*)?)?"
)
# a list item or a heading: a dialogue written as a list ("- Interviewer: ...", "- Me: ...")
_LISTED = r"(?P<listed>[ \t]{0,3}(?:[-*+][ \t]+|\d{1,3}[.)][ \t]+|#{1,6}[ \t]+))?"
_EMPHASIS = r"(?:\*\*|__|\*|_)?"
_LEAD = rf"[ \t]*(?:>[ \t]*)*{_LISTED}{_STAMP}{_EMPHASIS}"  # quote, list, [14:02], emphasis


def _colon_or_dash(dashes: str) -> str:
    """A label's colon, or one of `dashes` between blanks, in or out of emphasis."""
    return rf"{_EMPHASIS}[ \t]*(?:[:\uff1a]|[ \t][{dashes}][ \t]){_EMPHASIS}"


def _unnamed(pattern: str) -> str:
    """`pattern` with its named groups unnamed, to be used twice in one regex."""
    return re.sub(r"[?]P<[a-z_]+>", "?:", pattern)


_DASHES = "\u2013\u2014"  # an en or em dash; a hyphen too opening a line ("Interviewer - ...")
# the label's end: a colon or a spaced dash, or bold closing on the label ("**Interviewer** And?")
_CLOSE = (
    rf"(?:{_colon_or_dash('-' + _DASHES)}"
    r"|(?<=[\w)])(?P<bold>\*\*|__)(?:[ \t]+|[ \t]*(?=\r?$)))"
)
# the asker's label opening a line: "Interviewer", "Interviewer (Sam)", "Interviewer's
# follow-up", "Priya (interviewer)", "Q", "Q1", "Question 2"; another role ("Hiring manager",
# "Panelist") or a list item only in a dialogue (`interviewer_lines`): "- Interviewer: id,
# calendar" is a field of a design about interviews
_ASKER = (
    r"(?:(?:interviewer(?:[ \t]+(?:\d{1,2}|[A-Z]))?|(?P<role>hiring[ \t]+manager|panell?ist"
    r"|examiner|moderator|host|recruiter|(?:bar[ \t]*)?raiser)(?:[ \t]+(?:\d{1,2}|[A-Z]))?)(?:'s[ \t]+[\w-]{1,20})?"
    r"(?:[ \t]*\([^)\n]{1,80}\))?"
    r"|[A-Z][\w.'-]{0,30}(?:[ \t]+[A-Z][\w.'-]{0,30})?[ \t]*\((?i:interviewer)\)"
    r"|(?P<self_posed>q\d{0,2}|question(?:[ \t]+\d{1,2})?))"
)
# or a table row's first cell (a Word document's Speaker | Words table, read as Markdown rows)
_CELL = r"[ \t]*(?:\*\*|__)?"
_ASKED = re.compile(
    rf"^{_LEAD}(?i:{_ASKER}){_CLOSE}"
    rf"|^[ \t]*\|{_CELL}(?P<row>(?i:{_unnamed(_ASKER)})){_CELL}[ \t]*\|",
    re.MULTILINE,
)
# the candidate's label, at a line's start or later on a line: "Me", "A", "A1", "Answer 2",
# "You", "Alex (me)"
_ANSWERER = (
    r"(?:candidate|interviewee|me|you|a\d{0,2}|answer(?:[ \t]+\d{1,2})?"
    r"|[A-Z][\w.'-]{0,30}[ \t]*\((?:me|candidate)\))(?:[ \t]*\([^)\n]{1,40}\))?"
)
# later on a line, only a colon or a long dash ends the label ("... two options. A - a two-tower
# model, B - a ranker" names options)
_INLINE_CLOSE = _colon_or_dash(_DASHES)
_ANSWERS_INLINE = re.compile(
    rf"(?<=[.?!\uff1f])[ \t]+(?:\*\*|__|\*|_)?(?i:{_ANSWERER}){_INLINE_CLOSE}"
)
_ANSWERS_LINE = re.compile(
    rf"^{_unnamed(_LEAD)}(?i:{_ANSWERER}){_CLOSE}"
    rf"|^[ \t]*\|{_CELL}(?i:{_ANSWERER}){_CELL}[ \t]*\|",
    re.MULTILINE,
)
# the interviewer's label later on a candidate's line: "Me: Retrieval first. Interviewer: And?"
_ASKS_INLINE = re.compile(
    r"(?<=[.?!\uff1f])[ \t]+(?:\*\*|__|\*|_)?(?i:interviewer(?:[ \t]*\([^)\n]{1,80}\))?)"
    + _INLINE_CLOSE
)
NEAR = 600  # a dialogue labels the candidate's side near the interviewer's turn (one "A:" far off does not)
_QUOTED = re.compile(r"[ \t]*>")
_BREAK = re.compile(r"[ \t]{0,3}(?:#|[-*+][ \t]|\d{1,3}[.)][ \t])")  # a heading or a list item
_QUESTION_MARK = re.compile("[?\uff1f]")
_WORDS_BELOW = re.compile(r"(?:[ \t]*\r?\n){1,3}(?=[ \t]*\S)")  # up to two blank lines, then words
_ENDS_SENTENCE = re.compile(r"[.!?\u2026][\"')\]*_ \t\r]*$")
_ASKS_IN_ROW = re.compile(r"\?[ \t*_\"']*\|[ \t]*$")  # a row whose words end in a question


# the interviewer's question told in the candidate's words ("He asked how I'd monitor drift",
# "The interviewer then pushed me on cold start", "She also hinted at fairness"): the asker, and a
# verb of asking with what marks it as asking ("he asked for a refund" is a design's user)
_NARRATOR = (
    r"(?:(?:the|my|our)\s+)?(?:interviewers?|hiring\s+managers?|panell?ists?|bar\s+raisers?)"
    r"|he|she"
)
_NARRATED = re.compile(
    rf"\b(?:(?:{_NARRATOR})\s+(?:(?:then|also|later|first|next|finally|immediately|quickly|just"
    r"|kept)\s+)?(?:asks?|asking|asked)\b(?:\s+me(?!\s+to\b))?[ \t]*[,:]?[ \t]*[\"\u201c]?[ \t]*"
    r"(?=(?:how|what|why|whether|if|about|which|when|where|who|me\s+to)\b)"
    rf"|(?:{_NARRATOR})\s+(?:(?:then|also|later|first|next|finally|just)\s+)?(?:wanted\s+(?:to\s+know"
    r"|me\s+to\s+(?:talk|explain|discuss|cover|walk))|(?:pushed|pressed|challenged|grilled"
    r"|quizzed)\s+(?:me\s+|back\s+)?on|probed(?:\s+(?:on|into))?|followed\s+up\s+(?:on|with|by)"
    r"|hinted\s+at|brought\s+up|inquired\s+about|wondered\s+(?:whether|if|how)|questioned\s+my"
    r"|drilled\s+(?:(?:me\s+)?(?:into|on)|down)|dug\s+into)"
    r"|I\s+(?:was|got)\s+asked\s+(?=(?:how|what|why|whether|if|about|which|when|where|who)\b))",
    re.IGNORECASE,
)
# where a narrated question ends: its sentence's, clause's or line's end, or the candidate's own
# words starting ("..., and I said we'd retrain weekly"); whitespace is read from a run's start
# only, so that a long run of blanks is not read again from each of its positions
_SAYS = (
    r"(?:said|answered|replied|responded|suggested|proposed|explained|described|talked|walked"
    r"|went|gave|drew|told|argued|pointed|started|mentioned|added|listed|chose|picked|used)"
)
_NARRATED_END = re.compile(
    r"[.!?;\uff1f](?=\s|$)|\n"
    rf"|(?:[,:\u2013\u2014]|(?<!\s)\s-)\s*+(?:(?:and|so|but|to\s+which)\s++)?(?:I|we)\s++{_SAYS}\b"
    rf"|(?<!\s)\s++(?:(?:and|so|but|to\s+which)\s++)?I\s++{_SAYS}\b"
    r"|,\s*+so\b|(?<!\s)\s++(?:because|and\s+the\s+answer)\b",
    re.IGNORECASE,
)
NARRATED_REACH = 160  # the most a narrated question runs on without an end


# the candidate telling their own side of an interview ("I said", "I answered", "I proposed"), in
# a text about one
_INTERVIEW = re.compile(r"\binterview", re.IGNORECASE)
_TELLS = re.compile(
    r"\bI\s+(?:then\s+|just\s+|also\s+)?(?:said|answered|replied|responded|suggested|proposed"
    r"|explained|told\s+(?:him|her|them)|walked\s+(?:him|her|them)\s+through|started\s+(?:by|with)"
    r"|fumbled|blanked)\b",
    re.IGNORECASE,
)


def narrated_questions(text: str) -> list[tuple[int, int]]:
    """The [start, end) spans of the interviewer's questions as the candidate tells them ("With
    five minutes left he asked how I'd monitor drift and feedback loops.", "He also hinted at
    fairness toward small creators"): each from its asker to its sentence's end, or to where
    the candidate's own words begin. A helper's interview-experience post had drift credited on
    the interviewer's question. Only in a text that tells an interview, naming it and the
    candidate saying what they said ("I said ...", "I proposed ..."): in a design, "she asked
    whether the charge would be refunded" is a customer's ticket and "the interviewer probed the
    same topics" a recruiting system's data."""
    return _narrated(without_fenced_code(text))


def _narrated(shown: str) -> list[tuple[int, int]]:
    """`narrated_questions` of a text whose fenced code is blanked."""
    spans: list[tuple[int, int]] = []
    if not (_TELLS.search(shown) and _INTERVIEW.search(shown)):
        return spans
    for m in _NARRATED.finditer(shown):
        end = _NARRATED_END.search(shown, m.end(), m.end() + NARRATED_REACH)
        spans.append(
            (
                m.start(),
                end.start() + (shown[end.start()] in ".!?\uff1f")
                if end
                else min(len(shown), m.end() + NARRATED_REACH),
            )
        )
    return spans


def interviewer_lines(text: str) -> list[tuple[int, int]]:
    """The [start, end) spans of the interviewer's turns, in order: each from its labelled line
    through the lines that continue it, and the questions the candidate tells in their own words
    (`narrated_questions`)."""
    shown = without_fenced_code(text)
    answers = [m.start() for m in _ANSWERS_LINE.finditer(shown)]

    def labelled_near(start: int) -> bool:  # the candidate's label within NEAR characters
        k = bisect.bisect_left(answers, start - NEAR)
        return k < len(answers) and answers[k] <= start + NEAR

    turns = []
    for m in _ASKED.finditer(shown):
        end = _asked_end(shown, m)
        if end is None:
            continue  # "Q: 50k queries per second": no question, a line of the design
        near = labelled_near(m.start())
        # an asker named by another role ("Hiring manager:"), in a list or in a table's row, only
        # in a dialogue (the candidate's side labelled near it), and any label without a colon
        # ("**Interviewer** And privacy?") only asking something: "Recruiter: sees the top 50",
        # "- Interviewer: id, calendar", "| Interviewer | id |" and "**Interviewer** dashboards
        # show each scorecard" are a design's
        dialogue_only = m["role"] or m["row"] or m["listed"]
        if dialogue_only or m["bold"]:
            turn = _turn(shown, m.start(), end, near)
            asks = (
                _ASKS_IN_ROW.search(shown, m.start(), end)
                if m["row"]
                else _QUESTION_MARK.search(shown, turn[0], turn[1])
            )
            if asks and (near or not dialogue_only):
                turns.append(turn)
            continue
        turns.append(_turn(shown, m.start(), end, near))
    turns += [_turn(shown, s, _line_end(shown, s), True) for s in _named_speakers(shown)]
    for m in _ANSWERS_LINE.finditer(shown):  # "Me: Retrieval first. Interviewer: And drift?"
        line_end = _line_end(shown, m.start())
        asked = _ASKS_INLINE.search(shown, m.end(), line_end)
        if asked:
            answered = _ANSWERS_INLINE.search(shown, asked.end(), line_end)
            start = asked.start() + len(asked[0]) - len(asked[0].lstrip())
            turns.append((start, answered.start() if answered else line_end))
    return sorted(turns + _narrated(shown))


# a speaker named at a line's start: "Priya:", "Tech lead:", "**Sam**:"
_SPEAKER = re.compile(
    rf"^{_unnamed(_LEAD)}(?P<name>[A-Z][\w.'-]{{0,30}}(?:[ \t]+[A-Za-z][\w.'-]{{0,30}})?)"
    rf"{_unnamed(_CLOSE)}",
    re.MULTILINE,
)
SPEAKER_TURNS = 2  # a name is the other side's when this many of its lines the candidate answers


def _named_speakers(text: str) -> list[int]:
    """Where the lines of the other side of a dialogue start when it is named by name or role
    ("Priya:", "Tech lead:"): a name whose lines the candidate's labelled line ("Me:",
    "Candidate:") answers SPEAKER_TURNS times or more is the other side's wherever it opens a line.
    "Priya: So for drift you'd compare weekly distributions with PSI." / "Candidate: Yes, exactly."
    had credited drift with Priya's words; a design's "Ranking: GBDT" above one "Candidate: top
    500 from ANN" is no dialogue."""
    answered: dict[str, int] = {}
    opened: dict[str, list[int]] = {}
    for m in _SPEAKER.finditer(text):
        if _ANSWERS_LINE.match(text, m.start()):
            continue
        name = m["name"].casefold()
        opened.setdefault(name, []).append(m.start())
        below = _WORDS_BELOW.match(text, _line_end(text, m.start()))
        if below and _ANSWERS_LINE.match(text, below.end()):
            answered[name] = answered.get(name, 0) + 1
    return sorted(s for name, n in answered.items() if n >= SPEAKER_TURNS for s in opened[name])


def _asked_end(text: str, m: re.Match) -> int | None:
    """Where an asker's line ends (the line under a label alone on its own, "**Interviewer**"):
    a "Q:" or "Question:" line at its question mark, since a candidate posing their own question
    answers it on the same line ("Question: should list price be a feature? It's very
    predictive, but ..."), and None without one ("Q: 50k queries per second"); an interviewer's
    at the line's end."""
    end = _line_end(text, m.start())
    if not text[m.end() : end].strip():  # the label alone: its words on the next line with any
        below = _WORDS_BELOW.match(text, end)
        if below:
            end = _line_end(text, below.end())
    if m.group("self_posed"):
        mark = _QUESTION_MARK.search(text, m.end(), end)
        return mark.end() if mark else None
    return end


def _is_question(line: str) -> bool:
    return line.rstrip(" \t\r*_").endswith(("?", "\uff1f"))


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    return end - (text[start:end].endswith("\r"))


def _turn(text: str, start: int, end: int, both_sides: bool) -> tuple[int, int]:
    """The turn whose labelled line is text[start:end], run on over the lines continuing it: a
    blockquote's next quoted lines; in a dialogue, a line broken mid-sentence, another question,
    or the list a line ending in a colon opens ("A few follow-ups:\n- drift?\n- privacy?")."""
    answered = _ANSWERS_INLINE.search(text, start, end)
    if answered:
        return start, answered.start()
    quoted = bool(_QUOTED.match(text, start))
    last = text[text.rfind("\n", start, end) + 1 : end]  # the turn's last line so far
    listing = False  # in the list a line ending in a colon opened
    while end < len(text):
        line_start = text.find("\n", end) + 1
        if not line_start:
            break
        line_end = _line_end(text, line_start)
        line = text[line_start:line_end]
        if not line.strip() or _ASKED.match(line) or _ANSWERS_LINE.match(line):
            break
        if quoted:
            if not _QUOTED.match(line):
                break
        elif not both_sides:
            break
        elif listing or last.rstrip(" \t\r*_").endswith(":"):
            if not _BREAK.match(line) or not _is_question(line):
                break  # what a colon opens is its list of questions
            listing = True
        elif _BREAK.match(line) or _ENDS_SENTENCE.search(last) and not _is_question(line):
            break  # after a sentence's end, only another question is still the interviewer's
        end, last = line_end, line
        answered = _ANSWERS_INLINE.search(text, line_start, end)
        if answered:
            return start, answered.start()
    return start, end
