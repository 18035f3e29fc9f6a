"""Notes of what an answer still has to say: "TODO: add monitoring section & adversarial attacks.",
"- Online: TBD.", and what it says it leaves out: "I won't go into drift or privacy here", "I ran
out of time, I would have talked about serving". Such a note says the thing is not there; read as
design text, it named its topics closely enough to credit them (abuse and security "covered 52" on
the TODO above; drift 10 -> 27 on the weak example for "I won't go into drift detection")."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from grader.scoring.segment import _MARKER, _SENTENCE_END, abbreviated

# the writers' markers for "not written yet"; in capitals (or "To do:"), as notes write them
MARKER = re.compile(r"\b(?:TODO|TBD|TBC|FIXME|T[Oo][- ]?D[Oo]:|[Tt]o[- ]?do:)(?![\w-])")
# saying a topic is left out: a first-person speaker declining or deferring to talk about it. With
# "we" (often the system or the team: "we don't discuss transactions with merchants") and verbs
# that also name a design act
# ("cover", "address", "skip", "leave out": "I left out raw card numbers from the features", "we
# don't cover minors") only with words placing them in the answer ("here", "in this answer"), and
# acts a design does as well as an answer ("skip", "set aside") only with words placing them in
# the answer or its time ("for brevity", "because of time"; "we skip the re-ranker here" and
# "we set aside a holdout for now" are designs)
_A = "['\u2019]?"  # an apostrophe, straight, curly (Word and phones curl them) or left out
_TALK = (
    r"(?:dive|dig|delve)\s+(?:deep(?:er|ly)?\s+)?into|go\s+deep(?:er|ly)?\s+(?:on|into)"
    r"|discuss|talk\s+(?:about|through)|touch\s+on|elaborate\s+on|expand\s+on"
)
# verbs of motion whose literal sense is a design's: "go into production", "get into a feedback
# loop", "go over the latency budget" (a place or a limit, not a topic), "get to see the labels"
_LITERAL = (
    r"(?!\s+(?:(?:the|a|an|our|its|any|this)\s+)?(?:[\w-]+\s+){0,2}(?:production|prod|effect"
    r"|loops?|trouble|budgets?|limits?|quotas?|sla|slo|thresholds?)\b|\s+\d)"
)
_LITERAL_TO = (  # "get to" with a verb: a chance to do it, not a topic reached; nor a level
    r"(?!\s+(?:see|use|know|train|serve|ship|run|observe|collect|label|measure|keep|have|do|make"
    r"|work|learn|try|test)\b|\s+(?:an?\s+)?(?:stable\s+)?\d)"
)
_TALK_I = _TALK + rf"|(?:go\s+into|get\s+into|go\s+over){_LITERAL}|get\s+to{_LITERAL_TO}|mention"
# said, in the past: "mentioned", "brought up", "talked about"
_SAID = (
    r"talked\s+about|mentioned|brought\s+up|discussed|covered|addressed|touched\s+on|went\s+into"
    r"|gone\s+into|elaborated\s+on|expanded\s+on"
)
_NO_PRONOUN = r"(?!\s+(?:it|this|that|these|those|them)\b)"
_AMBIGUOUS = r"cover|address|skip|leave\s+out|go\s+into|get\s+into|go\s+over"
# a left-out note with no subject and no topic of its own ("didn't cover.", "didn't get to it"),
# and nothing more on its line
_BARE_LEFT_OUT = (
    rf"(?:(?:didn{_A}t|did\s+not)\s+(?:cover|address|discuss|talk\s+about|get\s+to|have\s+(?:the\s+)?time)"
    r"|never\s+(?:got\s+to|covered|discussed|addressed|mentioned))"
    r"(?:[ \t]+(?:it|this|that|them|those))?(?:[ \t]+(?:at\s+all|here|today|yet|either|in\s+time))?"
)
_CLOSING = r"[ \t]*[.!]?[*_ \t]*(?=\r?$)"
_TIME_REASON = (
    r"(?:because\s+of|due\s+to|for\s+lack\s+of)\s+(?:the\s+)?time\b(?!-|\s+(?:zones?|series"
    r"|windows?|budgets?|skew|limits?|it|taken|spent|needed|of|to))"
)
# short of time: "for brevity", "given the time" (not "given the time of day"), "because of time"
_TIME_SHORT = (
    r"given\s+(?:the|our|limited)\s+time\b(?!-|\s+(?:of|to|it|zones?|budgets?|skew|limits?|windows?))"
    r"|for\s+brevity"
    rf"|in\s+the\s+interest\s+of\s+time|{_TIME_REASON}"
)
_ANSWER = r"answer|write-?up|doc|document|interview|round|discussion"
# the answer and its time, and nothing a design also says
_IN_ANSWER_ONLY = rf"in\s+(?:this|my)\s+(?:{_ANSWER})|{_TIME_SHORT}|\(\s*(?:no\s+)?time\s*\)"
# the rest of a clause: not past a sentence's end (a dot in "0.2" or "e.g." is none) nor a turn
# to what is said ("We can't cover every market with one model, so here we train ...")
_WITHIN = (
    r"(?:(?!,?[ \t](?:but|so|because(?![ \t]of[ \t])|since|although|whereas)[ \t])"
    r"(?>[^.;\n]|\.(?=\S)|(?<=\b[a-z])\.))"
    r"{0,200}?"
)
_IN_ANSWER = rf"(?={_WITHIN}\b(?:here|today|for\s+now|in\s+this\s+design|{_IN_ANSWER_ONLY})\b)"
_ANSWER_ONLY = rf"(?={_WITHIN}(?:\b|(?=\())(?:{_IN_ANSWER_ONLY})(?:\b|(?<=\))))"
_NOT = (
    rf"(?:\s+(?:won{_A}t|will\s+not|wouldn{_A}t|would\s+not|can{_A}t|cannot|can\s+not|don{_A}t"
    rf"|do\s+not|didn{_A}t|did\s+not|haven{_A}t|have\s+not|(?:am|are)\s+not\s+(?:going\s+to|gonna)"
    rf"|(?:won{_A}t|didn{_A}t|did\s+not)\s+have\s+(?:the\s+|a\s+)?(?:time|chance)\s+to"
    rf"|had\s+no\s+(?:time|chance)\s+to|would\s+rather\s+not)"
    rf"|{_A}(?:m|re)\s+not\s+(?:going\s+to|gonna)|{_A}d\s+rather\s+not)"
)
_SHORT_OF_TIME = rf"{_TIME_SHORT}|short\s+on\s+time|(?:I{_A}m|I\s+am|we{_A}re|we\s+are)\s+running\s+out\s+of\s+time"
_TALKING = (
    rf"cover(?:ing)?|discuss(?:ing)?|talk(?:ing)?\s+about|go(?:ing)?\s+(?:into|over){_LITERAL}"
    rf"|get(?:ting)?\s+into{_LITERAL}|address(?:ing)?|touch(?:ing)?\s+on|div(?:e|ing)\s+into"
)
_TALKING_WE = r"discussing|talking\s+about"
_PASSIVE = r"covered|discussed|described|talked\s+about|gone\s+into"
_SENTENCE_START = r"(?:^[ \t]*(?:[-*+][ \t]+|\d{1,3}[.)][ \t]+)?|(?<=[.!?])[ \t]+)"
_HAVE = r"(?:also\s+)?(?:have\s+)?(?:liked\s+to\s+)?"
_WOULD = rf"(?:I|we)(?:{_A}d|\s+would)\s+{_HAVE}(?:talked|gone\s+into|covered|discussed|{{talk}})"
_MORE_TIME = (
    r"(?:if\s+(?:I|we)\s+had|had\s+(?:I|we)|with|given)\s+(?:more|enough|extra)\s+time\b"
    r"|time\s+permitting"
)
_NO_AGENT = r"(?![^.;\n]{0,40}?\bby\b)"  # "not covered here by the MF model" says what covers it
_SCOPE = (
    rf"(?:beyond|outside|out\s+of)\s+(?:the\s+)?scope\s+(?:of|for)\s+(?:this|my)\s+(?:{_ANSWER})"
)
_UNTIL_ASIDE = r"(?>(?:(?!\baside\b)[^.;:!?\n]){0,80})"  # up to the first "aside" only
_BOX = r"(?:[-*+]|\d{1,3}[.)])[ \t]+\[[ \t]{0,2}\]|\u2610"  # "- [ ]", "1. [ ]", a ballot box
# every branch opens at a word's start, a line's or just after a full stop: said once in front,
# the engine tries its forty branches only there (3.1 -> 1.4 s over 29,000 texts, the same matches)
DEFERRAL = re.compile(
    r"(?:(?<!\w)(?=\w)|^|(?<=[.!?]))(?:"
    rf"\bI{_NOT}\s+(?:really\s+|fully\s+)?(?:{_TALK_I})\b"
    rf"|\b(?:I|we){_NOT}\s+(?:really\s+|fully\s+)?(?:{_AMBIGUOUS}|{_TALK})\b{_IN_ANSWER}"
    # in the past, said of the answer: "I didn't cover drift", "we didn't get to privacy"
    rf"|\bI\s+(?:didn{_A}t|did\s+not)\s+(?:really\s+|fully\s+)?cover\b"
    rf"|\bI\s+(?:haven{_A}t|have\s+not)\s+(?:really\s+|fully\s+)?(?:covered|addressed|discussed"
    r"|talked\s+about|gone\s+into)\b"
    # never said: "I never talked about drift", "we never got to discuss it"
    rf"|\bI\s+(?:also\s+)?never\s+(?:really\s+)?(?:{_SAID}|got\s+to{_LITERAL_TO})\b"
    # ("we never got to real-time features" is a design's history: "we" only with a verb of
    # talking or a pronoun)
    r"|\bwe\s+(?:also\s+)?never\s+(?:really\s+)?got\s+to(?:\s+(?:discuss|talk\s+about|cover|go\s+into"
    r"|mention)\b|(?=\s+(?:it|that|this|those|them)\b(?!\s+\w)))"
    # said in hindsight, of the answer: "Next time I'd mention PSI", "I should have covered drift"
    # (not of a pronoun: "I should have mentioned this first - user ids are hashed" goes on to say
    # it; nor "cover" next time: "next time, I'd cover both regions with one model")
    rf"|\bnext\s+time,?\s+I(?:{_A}d|\s+would|{_A}ll|\s+will)\s+(?:also\s+|\w+ly\s+)?(?:{_TALK_I}|bring\s+up)\b"
    rf"{_NO_PRONOUN}"
    rf"|\bI\s+(?:should|could)(?:{_A}ve|\s+have)\s+(?:also\s+)?(?:{_SAID})\b{_NO_PRONOUN}"
    rf"|\bI\s+wish\s+I(?:\s+had|{_A}d)\s+(?:{_SAID})\b{_NO_PRONOUN}"
    # a pronoun skipped for a reason, its topic in the clause before: "nobody asked about privacy,
    # so I skipped that too" ("if an annotator skipped the item, I skipped it too" is a design's)
    r"|(?P<skipped>(?<=\bso\s)I\s+(?:also\s+)?skipped\s+(?:that|it|those|them|this)\b"
    r"(?!\s+(?!(?:too|as\s+well|also|entirely|altogether)\b)\w))"
    rf"|\b(?:I|we)\s+(?:didn{_A}t|did\s+not|had\s+no|haven{_A}t\s+had)\s+(?:have\s+)?(?:the\s+|enough\s+)?"
    rf"time\s+to\s+(?:really\s+)?(?:cover|address|{_TALK_I}|go\s+into|get\s+into)\b"
    rf"|\bwe\s+(?:didn{_A}t|did\s+not)\s+(?:really\s+)?get\s+to\b{_LITERAL_TO}"
    rf"|\b(?:I|we)\s+(?:didn{_A}t|did\s+not|had\s+no)\s+(?:have\s+)?(?:the\s+|enough\s+)?time\s+for\b"
    rf"|\b(?:I{_A}ll|I\s+will|I{_A}d|I\s+would|let{_A}s|let\s+me|we{_A}ll)\s+not\s+(?:{_TALK_I})\b"
    # acts that are also a design's ("skip", "set aside"), placed in the answer or its time
    rf"|(?P<act>\b(?:I{_A}ll|I\s+will|let{_A}s|let\s+me|we{_A}ll|I|we)\s+(?:skip|leave\s+out|set\s+aside)\b"
    rf"|\b(?:I|we)\s+(?:(?:have|had)\s+)?(?:skipped|left\s+out|set\s+aside)\b"
    rf"|\bI(?:{_A}m|\s+am)\s+skipping\b"
    rf"|\b(?:leave|set|put)\b{_UNTIL_ASIDE}\baside\b){_ANSWER_ONLY}"
    # a speaker setting a topic aside for now: "Leaving drift aside for now", "Setting aside
    # privacy here, ..."
    rf"|(?P<aside>\b(?:leaving|setting|putting)\b{_UNTIL_ASIDE}\baside\b|\bleaving\s+out\b"
    # (not "Skipping is a strong negative signal here": skipping a video, said of the data)
    rf"|{_SENTENCE_START}skipping\b(?!\s+(?:is|was|will|can|could|should|would|may|might|means"
    rf"|counts|gets|tells|signals|behaviou?rs?|rates?|events?|signals?|patterns?|data)\b)){_IN_ANSWER}"
    rf"|\b(?:{_SHORT_OF_TIME})[,\s]+(?:so\s+)?(?:I|we|let{_A}s|let\s+me)"
    rf"(?:{_A}ll|\s+will|{_A}d|\s+would|{_A}m|\s+am|{_A}re|\s+are)?"
    r"\s+(?:(?:have|had)\s+)?(?:skip(?:ped|ping)?|leav(?:e|ing)\s+out|left\s+out|set(?:ting)?\s+aside)\b"
    rf"|(?:\bI\s+|\bwe\s+|{_SENTENCE_START})ran\s+out\s+of\s+time\b(?=\s*(?:[,.;:!?\u2013\u2014-]|$|(?:there|here"
    rf"|to|before|so|but|and|on)\b))"
    rf"|\bnot\s+enough\s+time\s+to\s+(?:{_TALK_I})\b"
    # scope said of the answer, not of the product ("Out of scope: multi-language support" is a
    # requirement): "out of scope for today:", "out of scope for this interview"
    r"|\bout\s+of\s+scope\s+(?:for\s+)?(?:today|here|for\s+now|(?:in|for)\s+(?:this|my)\s+"
    rf"(?:{_ANSWER}))\b"
    rf"|\b(?:I|we)(?:{_A}d|\s+would)\s+have\s+liked\s+to\s+(?:{_TALK_I})\b"
    rf"|\b(?:{_MORE_TIME}),?\s+"
    + _WOULD.format(talk=_TALK + "|mention")
    + r"\b"
    # "I would have covered drift with more time" / "..., but I ran out of time"
    + rf"|\b{_WOULD.format(talk=_TALK + '|mention')}\b(?=[^.;\n]{{0,200}}?\b(?:{_MORE_TIME}|ran\s+out\s+of\s+time))"
    # "I'm not covering drift"; no subject, in notes: "Didn't get to privacy." (said of the
    # answer in the past; "Won't go into production" is the system's future)
    rf"|\bI(?:{_A}m|\s+am)\s+not\s+(?:{_TALKING})\b|\bwe(?:{_A}re|\s+are)\s+not\s+(?:{_TALKING_WE})\b"
    rf"|{_SENTENCE_START}(?:didn{_A}t|did\s+not|couldn{_A}t|could\s+not|no\s+time\s+to|not\s+going\s+to"
    rf"|not\s+gonna)\s+(?:really\s+)?(?:{_TALK_I})\b"
    # said of the topic: "Privacy is not covered here", "Drift and retraining weren't covered.",
    # "... are beyond the scope of this answer"
    rf"|(?P<passive>\b(?:is|are|be|been)\s+not\s+(?:{_PASSIVE})\b{_IN_ANSWER}{_NO_AGENT}"
    rf"|\b(?:isn|aren){_A}t\s+(?:{_PASSIVE})\b{_IN_ANSWER}{_NO_AGENT}"
    rf"|\b(?:was|were)\s+not\s+(?:{_PASSIVE})\b{_NO_AGENT}"
    rf"|\b(?:wasn|weren){_A}t\s+(?:{_PASSIVE})\b{_NO_AGENT}"
    rf"|\b(?:is|are)\s+{_SCOPE}\b|\b(?:is|are)\s+out\s+of\s+scope\b{_ANSWER_ONLY})"
    # labelled: "- Privacy: not covered (time).", "Monitoring: omitted for brevity."
    rf"|^[ \t]*(?:[-*+][ \t]+)?[*_]*[^\W\d][\w /&',-]{{0,60}}[*_]*(?::|[ \t][\u2013\u2014-][ \t])[*_ \t]*"
    rf"(?:not\s+(?:covered|discussed)\b(?!\s+by\b)|(?:omitted|skipped|left\s+out)\b{_ANSWER_ONLY}"
    # with no subject, closing its line: "- Online A/B testing: ran out of time, didn't cover.",
    # "Cold start: didn't get to it." (a label defined by what did not happen goes on: "Negative
    # label: didn't get to checkout within 30 minutes", "Timeouts: ran out of time, return ...")
    rf"|(?:ran\s+out\s+of\s+time(?:[,;]?[ \t]+(?:and[ \t]+|so[ \t]+)?{_BARE_LEFT_OUT})?"
    rf"|{_BARE_LEFT_OUT}){_CLOSING})"
    # a label over what is left out: "Not covered: drift, privacy.", "Skipped (time):"
    rf"|^[ \t]*(?:[-*+][ \t]+)?[*_]*(?:(?:things|topics|what)\s+(?:I\s+(?:didn{_A}t|did\s+not)\s+cover|I\s+missed"
    r"|(?:I\s+)?left\s+out)"
    rf"|not\s+(?:covered|discussed)|(?:omitted|skipped|left\s+out)(?=[^:\n]*\btime\b)"
    # no subject: "Didn't cover: monitoring, drift.", "Didn't get to (time):"
    rf"|(?:didn{_A}t|did\s+not|couldn{_A}t|could\s+not)\s+(?:cover|address|discuss|get\s+to"
    r"|talk\s+about|mention))"
    r"(?:[ \t]+(?:here|in\s+this\s+answer))?(?:[ \t]*\([^)\n]{1,20}\))?[*_ \t]*:"
    # an unticked task in a task list: "- [ ] drift alerts", "1. [ ] privacy", "☐ privacy"
    rf"|(?P<box>^[ \t]*(?:{_BOX})[ \t]+(?=\S)))",
    re.IGNORECASE | re.MULTILINE,
)
# where what a deferral leaves out ends: its sentence's end, a clause turning to what is said, or
# a paragraph's or list's break; a colon or a dash goes on to what is left out ("I won't go into
# privacy: PII retention, ..."), and a line broken mid-sentence (hard-wrapped, a PDF's) runs on
_CLAUSE_END = re.compile(
    r"(?<!\b[a-z]\.[a-z])[.!?;](?:\s|$)"
    r"|(?:,|(?<=\S))\s+(?:but|because|since|although|though|whereas|so|then)\s"
    r"|(?<=\S)\s+[-\u2013\u2014]\s+(?=(?i:we|I|the|our|it|this|instead)\b)"
    r"|\n(?=[ \t]*(?:\r?\n|$|[-*+#>][ \t]|\d{1,3}[.)][ \t]))"
)
# "Setting aside privacy for now, the main risk is latency": a participle's clause also ends where
# the sentence's subject comes in
_ASIDE_END = re.compile(
    _CLAUSE_END.pattern + r"|,\s+(?=(?:the|we|I|our|my|this|it|that|there|let's|a|an)\s)",
    re.IGNORECASE,
)
# where a clause turns to another subject ("... weekly; calibration is not covered here"), not a
# list's colon or comma ("Drift, privacy: I won't go into those")
_CLAUSE_START = re.compile(r";\s*|(?:,|(?<=\S))\s+(?:but|so|yet|while|whereas)\s+", re.IGNORECASE)
_FUNCTION_WORD_LAST = re.compile(
    r"\b(?:a|an|the|as|is|are|be|was|each|every|any|in|on|to|of|for|by|with|at|from|into|its|their"
    r"|our|my|your|this|that|these|those|starts?|marked|left)[ \t]*$",
    re.IGNORECASE,
)
_PRONOUN = re.compile(
    r"\s+(?:it|those|them|that|these|this|either|any\s+of\s+(?:it|them|those))\b(?!\s+\w)", re.I
)
_DETAIL = re.compile(  # (not "the details of drift monitoring": that names its topic)
    r"\s+(?:(?:the|much|any|too\s+much|a\s+lot\s+of|all\s+the)\s+)?(?:details?|specifics|math|maths"
    r"|weeds|nitty[- ]gritty|implementation)\b(?!\s+(?:of|on|about|for|behind|in)\b)"
    r"(?:\s+(?:here|today|for\s+now))?",
    re.I,
)
_LINE_ENDS = re.compile(r"[ \t]*\r?(?:\n|\Z)")  # nothing more on the line
# a marker ends its line (not one hard-wrapped mid-sentence: the next line goes on in lower case)
_CLOSES_LINE = re.compile(r"[ \t]*+\)?[.!]?[*_]*+[ \t]*+(?=\r?(?:\n(?![ \t]*[a-z])|\Z))")
_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")
LIST_REACH = 5000  # the farthest the list under a note ("TODO:" / "- a" / "- b") is read
REACH = 600  # the farthest a note's sentence is looked for from its marker, either way
DEFERRAL_WORDS = 40  # the most a deferral reaches on unpunctuated speech
_WORD = re.compile(r"\S+")
_DIGIT = re.compile(r"\d")
_BLANKS = re.compile(r"\s+")
_STOP = re.compile(r"[.!?](?:\s|$)|\n")
# a short lead before the speaker, kept with the note: "Given the time, ", "For brevity here, "
_DEFERRAL_LEAD = re.compile(r"[^\W\d][\w'\u2019 ]{0,40},\s*")

# what may come before a marker that leads its sentence: a bullet, emphasis, a label ("Online:")
_LEAD = re.compile(r"[*_~`\s]*(?:[^\W\d][\w /&',-]{0,80}[:\u2013\u2014-])?[*_~`\s]*")


@dataclass(frozen=True)
class ToDo:
    start: int
    end: int


def to_do_notes(text: str) -> list[ToDo]:
    """The notes of what is still to do, in order, overlapping ones joined. A marker that leads its
    sentence ("TODO: add drift checks.", "Online: TBD.", "TBD - check the data rules") makes the
    sentence a note, and a marker alone on its line ("TODO:" over a list) its whole block; one in
    parentheses, only them ("(exact window TBD)"); one with a colon inside a sentence, what follows
    it ("XGBoost, e.g. for tabular data TODO: tune depth."); any other one inside a sentence is a
    word of it ("we track every TODO in Jira")."""
    spans = [span for m in MARKER.finditer(text) if (span := _note(text, m)) is not None]
    spans += [span for m in DEFERRAL.finditer(text) if (span := _deferral(text, m)) is not None]
    notes: list[ToDo] = []
    for start, end in sorted(spans):
        if notes and start <= notes[-1].end:
            notes[-1] = ToDo(notes[-1].start, max(end, notes[-1].end))
        else:
            notes.append(ToDo(start, end))
    return notes


def _deferral(text: str, m: re.Match) -> tuple[int, int] | None:
    """A deferral's span: from its speaker (or its sentence's start, past a short lead such as
    "Given the time, ") to the end of its clause, at most DEFERRAL_WORDS words on. None for a topic
    set aside "here" or "for now" with a number in its sentence: that is the design's ("setting
    aside 5% of traffic here")."""
    line_start, line_end = _line_around(text, m)
    start, after_marker, lead = _sentence_lead(text, m, line_start)
    if m["passive"] or m["skipped"] or _PRONOUN.match(text, m.end()):
        # what "is not covered here" or "I won't go into it" is said of comes before it, in its
        # clause ("..., but negative sampling is subtle and I won't go into it"); what "so I
        # skipped that" is said of, in the clause giving the reason ("nobody asked about privacy,
        # so I skipped that too")
        turns = list(_CLAUSE_START.finditer(text, after_marker, m.start()))
        if m["skipped"] and turns and turns[-1].end() == m.start():
            turns.pop()
        start = turns[-1].end() if turns else after_marker
    else:
        start = after_marker if _DEFERRAL_LEAD.fullmatch(lead) else m.start()
    if m["box"]:  # an unticked task is its line
        return start, line_end - (text[line_end - 1 : line_end] == "\r")
    detail = _DETAIL.match(text, m.end())  # "I won't go into the details: ..." leaves out no topic
    if detail:
        return start, detail.end()
    words = list(itertools.islice(_WORD.finditer(text, m.end()), DEFERRAL_WORDS))
    end = words[-1].end() if words else m.end()
    # (the search stops just past the last word: an end found beyond it is the limit's)
    stop = (_ASIDE_END if m["aside"] else _CLAUSE_END).search(text, m.end(), end + 2)
    if stop and stop.start() < end:
        end = stop.start() + (text[stop.start()] in ".!?;")
    if m["aside"] and _DIGIT.search(text, m.start(), _sentence_end(text, m.end())):
        return None
    if text[start:end].rstrip(" \t\r*_").endswith(":") and _LINE_ENDS.match(text, end):  # "about:"
        end = _block_end(text, end)  # and the list under it
    return start, end


def _sentence_end(text: str, pos: int) -> int:
    """The end of the sentence or line going on at `pos`, within REACH characters."""
    stop = _STOP.search(text, pos, pos + REACH)
    return stop.start() if stop else min(len(text), pos + REACH)


def _block_end(text: str, pos: int) -> int:
    """Where the block holding `pos` ends: at the next blank line, within LIST_REACH characters
    (at the last line's end within them: a crafted run of "TODO:" lines stays linear to read)."""
    blank_line = _BLANK_LINE.search(text, pos, pos + LIST_REACH)
    if blank_line:  # (before a Windows line end's "\r")
        return blank_line.start() - (text[blank_line.start() - 1] == "\r")
    if pos + LIST_REACH >= len(text):
        return len(text.rstrip())
    return max(pos, text.rfind("\n", pos, pos + LIST_REACH))


def _sentence_lead(text: str, m: re.Match, line_start: int) -> tuple[int, int, str]:
    """Where the sentence holding `m` starts (on its line), where it starts past a list or quote
    marker, and the words between that and `m` (its lead: "Online: ", "Given the time, ")."""
    start = line_start
    stop = m.start()
    while stop > line_start:  # the last sentence end before `m` that no abbreviation made
        end = max(text.rfind(".", line_start, stop), text.rfind("!", line_start, stop),
                  text.rfind("?", line_start, stop))  # fmt: skip
        if end < 0:
            break
        blank = _BLANKS.match(text, end + 1, m.start())
        if blank and not abbreviated(text, end + 1, line_start):
            start = blank.end()
            break
        stop = end
    before = text[start : m.start()]  # within REACH of `m`
    marker = _MARKER.match(before)
    after_marker = start + (marker.end() if marker else 0)
    return start, after_marker, text[after_marker : m.start()]


def _line_around(text: str, m: re.Match) -> tuple[int, int]:
    """The line holding `m`, at most REACH characters either side of it: a note's sentence is
    never longer, and a bound keeps crafted text (one line of 20,000 notes) linear to read."""
    low = max(0, m.start() - REACH)
    newline = text.rfind("\n", low, m.start())
    line_end = text.find("\n", m.end(), m.end() + REACH)
    line_end = min(len(text), m.end() + REACH) if line_end < 0 else line_end
    return (newline + 1 if newline >= 0 else low), line_end


def _note(text: str, m: re.Match) -> tuple[int, int] | None:
    line_start, line_end = _line_around(text, m)
    opened = text.rfind("(", line_start, m.start())
    start, _, lead = _sentence_lead(text, m, line_start)
    closes = _CLOSES_LINE.match(text, m.end())  # "Drift section TODO", "- PSI alerts (TODO)."
    if opened > text.rfind(")", line_start, m.start()):  # inside parentheses: them alone
        closed = text.find(")", m.end(), line_end)
        if closes and not text[opened + 1 : m.start()].strip():
            return start + len(lead) - len(lead.lstrip()), closes.end()
        return (opened, closed + 1) if closed >= 0 else (opened, line_end)
    if closes and lead.strip() and not _FUNCTION_WORD_LAST.search(lead):
        # (not "Engineers file each mislabelled video as a TODO": a word of the sentence)
        return start + len(lead) - len(lead.lstrip()), closes.end()
    if not _LEAD.fullmatch(lead):
        if not text.startswith(":", m.end()):
            return None  # a word of its sentence
        start = m.start()  # "... tabular features TODO: tune depth.": the note is what follows
    start += len(text[start : m.start()]) - len(text[start : m.start()].lstrip())
    rest = text[m.end() : line_end]
    if not rest.strip(" \t\r:*_") and not lead.strip(" \t*_~`#"):  # "TODO:" over a list: it too
        return start, _block_end(text, line_end)
    end = line_end
    for stop in _SENTENCE_END.finditer(text, m.end(), line_end):
        if not abbreviated(text, stop.start(), m.end()):
            end = stop.start()
            break
    semicolon = text.find(";", m.end(), end)  # "Launch region: TBD; retrieval is ..."
    return start, (semicolon + 1 if semicolon >= 0 else end)
