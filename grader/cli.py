"""`mlsd`: grade answers, browse the case bank, build the index."""

from __future__ import annotations

import contextlib
import gc
import io
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Iterator, Optional

import typer

from grader.errors import GraderError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    help="Grade machine-learning system design interview answers, offline.",
)

EXIT_USAGE = 2
EXIT_PARTIAL = 1  # a batch graded some rows and not others (each named, and in the summary)


def _print_version(value: bool) -> None:
    if value:
        from grader import __version__

        typer.echo(f"mlsd-grader {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Grade machine-learning system design interview answers, offline."""


class Format(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"
    md = "md"  # the same as markdown


def _fail(message: str, code: int = EXIT_USAGE) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _guarded(fn):
    """Turn every expected failure into one line on stderr, and unexpected ones into one line too."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except BrokenPipeError:  # the reader stopped (`| head`): what it read is what it wanted
            _stdout_closed()
        except GraderError as exc:
            _fail(str(exc))
        except OSError as exc:  # the system refused (a full disk, a name too long, permissions)
            if _debug():
                raise
            _fail(_refused(exc))
        except KeyboardInterrupt as exc:  # Ctrl+C: 128 + SIGINT's number; SIGTERM its own
            code = getattr(exc, "exit_code", 130)
            _fail("interrupted" if code == 130 else "terminated", code)
        except Exception as exc:  # noqa: BLE001 - last line of defence: no tracebacks for users
            if _debug():
                raise
            _fail(f"unexpected {type(exc).__name__}: {exc} (set MLSD_DEBUG=1 for details)", 1)

    return wrapper


def _stdout_closed() -> None:
    """Stop quietly after the reader of stdout went away: later writes, and Python's own flush at
    exit, go to the null device instead of raising again; exit 0, as when every line was read."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise typer.Exit(0)


def _console():
    """A rich console on stdout whose broken pipe ends as `_stdout_closed` does (rich's own exits
    1, so `mlsd grade ... | head` failed under `set -o pipefail` where JSON output did not)."""
    from rich.console import Console

    class PipedConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError

    return PipedConsole()


def _refused(exc: OSError) -> str:
    """What the system refused, in one line: its reason and the file, when it names one."""
    return f"{exc.strerror or exc}: {exc.filename}" if exc.filename else f"{exc.strerror or exc}"


def _debug() -> bool:
    from grader.settings import settings

    try:
        return settings().debug
    except GraderError:
        return False


def _use_chroma_url(url: Optional[str]) -> None:
    from grader.settings import set_overrides

    set_overrides(chroma_url=url)


ChromaUrl = typer.Option(
    None, "--chroma-url", help="Use a Chroma server (http://host:port) instead of the local index."
)


class Transcriber(str, Enum):
    tiny = "tiny.en"
    base = "base"
    openai = "openai"


TranscriberOption = typer.Option(
    None,
    "--transcriber",
    help="Speech to text for audio: tiny.en (default, local), "
    "base (local, more accurate; the whisper-base extra) or openai (OPENAI_API_KEY). MLSD_TRANSCRIBER.",
)
CandidateOption = typer.Option(
    None,
    "--candidate",
    help="The speaker to grade in a speaker-labelled transcript "
    "(default: 'Candidate'/'Me', else the speaker who is not the interviewer).",
)


def _load_answer(source: str, candidate: Optional[str], transcriber: Optional[Transcriber]):
    """Read text, a transcript or audio; a progress bar on the terminal while audio is transcribed."""
    from grader.answers.files import load_answer_file
    from grader.answers.transcribe import terminal_progress

    with terminal_progress() as progress:
        return load_answer_file(
            source,
            candidate=candidate,
            transcriber=transcriber.value if transcriber else None,
            progress=progress,
        )


SourceArgument = typer.Argument(
    ...,
    help="Answer: text (.md, .txt, .html, .docx, .pdf; .ipynb: its Markdown cells), transcript (.srt, .vtt, .json, speaker-labelled "
    ".txt) or audio (wav, mp3, m4a, ogg, webm, flac); - for stdin.",
)
QuestionOption = typer.Option(
    ..., "--question", "-q", help="Case id (see `mlsd questions`) or the question text."
)
LLMOption = typer.Option(
    None, "--llm", help="none (default), openai or openai-compatible (MLSD_LLM)."
)
ModelOption = typer.Option(None, "--model", help="LLM model name (MLSD_LLM_MODEL).")
BaseUrlOption = typer.Option(
    None, "--base-url", help="OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1."
)
FormatOption = typer.Option(
    None,
    "--format",
    "-f",
    help="text (the screen's layout, without colour in a file), json or markdown (md); by "
    "default from -o's suffix (.json, .md), else text.",
)
JsonOption = typer.Option(False, "--json", help="The report as JSON: the same as -f json.")


def _format(fmt: Optional[Format], as_json: bool) -> Optional[Format]:
    """The format asked for: `--json` is `-f json`; with another -f it is refused, not guessed."""
    if as_json and fmt not in (None, Format.json):
        _fail(f"--json and -f {fmt.value} ask for two formats: give one")
    return Format.json if as_json else fmt


SamplesOption = typer.Option(
    1, "--samples", min=1, max=9, help="LLM samples; the median is reported with the spread."
)


def _graded(
    source: str,
    question: str,
    output: Optional[str],
    *,
    chroma_url: Optional[str],
    llm: Optional[str],
    model: Optional[str],
    base_url: Optional[str],
    samples: int,
    candidate: Optional[str],
    transcriber: Optional[Transcriber],
    save: bool = False,
):
    """What `grade` and `sheet` share: every check before any work, then reading and grading
    (and, with `save`, storing the attempt in the history as the app does). Returns the report,
    the checked output path (None for stdout) and why the attempt could not be saved (None when
    it was, or was not asked for): the caller writes the report first, then says so."""
    from grader.llm.config import load_config
    from grader.output import check_output

    output = check_output(output, inputs=(source,))  # before any work: a bad target wastes nothing
    _use_chroma_url(chroma_url)
    llm_config = load_config(
        provider=llm, model=model, base_url=base_url
    )  # a bad setting fails before any work
    unused = [f for f, v in (("--model", model), ("--base-url", base_url)) if v]
    unused += ["--samples"] if samples > 1 else []
    if unused and llm_config.provider == "none":  # said, not silently dropped
        typer.echo(
            f"note: {', '.join(unused)} {'applies' if len(unused) == 1 else 'apply'} only with "
            "--llm (or MLSD_LLM); graded by the rules",
            err=True,
        )
    answer = _load_answer(source, candidate, transcriber)
    from grader.knowledge.embedder import load_in_background

    load_in_background()  # on the second core, while the grader's modules import (0.15-0.2 s)
    from grader.pipeline import grade_input
    from grader.scoring.grading import default_grader
    from grader.scoring.inputs import check_answer, check_question

    check_question(question)
    check_answer(answer.graded_text)  # fail fast, before the index is opened or anything embedded
    if llm_config.is_remote:
        from grader.extras import needs

        with needs("llm", "LLM grading"):
            from grader.llm.client import public_url

        where = public_url(llm_config.base_url) or "api.openai.com"
        typer.echo(
            f"note: the answer is sent to {llm_config.provider} ({where}) for LLM grading", err=True
        )
    report = grade_input(default_grader(), answer, question, llm=llm_config, samples=samples)
    if report.llm is not None and report.llm.fell_back:
        typer.echo(f"warning: {report.warnings[-1]}", err=True)
    not_saved = None
    if save:  # a history that cannot take the attempt costs the history, never the report
        key = llm_config.api_key.get_secret_value() if llm_config.api_key else None
        try:
            history = _history()
            attempt, new = history.store(answer.text, report, secrets=[key])
            if not new:  # the same answer graded again: kept once, under its old id
                when = f"{history.get(attempt).created_at.astimezone():%Y-%m-%d %H:%M}"
                typer.echo(
                    f"already saved as attempt #{attempt} ({when}): the same answer and report",
                    err=True,
                )
            else:
                typer.echo(f"saved as attempt #{attempt} (`mlsd history list`)", err=True)
        except GraderError as exc:
            not_saved = str(exc)
    return report, output, not_saved


@app.command()
@_guarded
def grade(
    source: str = SourceArgument,
    question: str = QuestionOption,
    fmt: Optional[Format] = FormatOption,
    as_json: bool = JsonOption,
    output: Optional[str] = typer.Option(
        None, "--output", "-o", help="Write the report here instead of stdout."
    ),
    chroma_url: Optional[str] = ChromaUrl,
    llm: Optional[str] = LLMOption,
    model: Optional[str] = ModelOption,
    base_url: Optional[str] = BaseUrlOption,
    samples: int = SamplesOption,
    candidate: Optional[str] = CandidateOption,
    transcriber: Optional[Transcriber] = TranscriberOption,
    save: bool = typer.Option(
        False, "--save", help="Save the attempt to your history, as the app does (MLSD_DATA_DIR)."
    ),
) -> None:
    """Grade an answer against a question's rubric."""
    fmt = _format(fmt, as_json)
    report, output, not_saved = _graded(
        source, question, output, chroma_url=chroma_url, llm=llm, model=model,
        base_url=base_url, samples=samples, candidate=candidate, transcriber=transcriber,
        save=save,
    )  # fmt: skip
    _write_report(report, output, fmt)
    if not_saved:
        _fail(f"{not_saved} (the report was written; this attempt is not in your history)")


TEXT_FILE_WIDTH = 100  # columns of a text report written to a file


def _write_report(report, output: Optional[Path], fmt: Optional[Format]) -> None:
    """The report in the format asked for (or the output file's suffix), to `output` or stdout."""
    from grader.output import write_atomic

    if fmt is None:
        suffix = output.suffix.lower() if output else ""
        fmt = (
            Format.json
            if suffix == ".json"
            else Format.markdown
            if suffix in (".md", ".markdown")
            else Format.text
        )
    if fmt is Format.md:
        fmt = Format.markdown
    if fmt is Format.json:
        text = report.to_json()
    elif fmt is Format.markdown:
        from grader.render import to_markdown

        text = to_markdown(report)
    elif output is not None:  # the screen's text, without colour (it had been markdown)
        from rich.console import Console

        from grader.render import print_rich

        screen = io.StringIO()
        print_rich(report, Console(file=screen, width=TEXT_FILE_WIDTH, color_system=None))
        text = screen.getvalue()
    else:
        from grader.render import print_rich

        with _on_stdout():
            print_rich(report, _console())
        return
    if output is not None:
        write_atomic(output, text)
        typer.echo(f"wrote {output} (overall {report.overall_score}/100)", err=True)
    else:
        with _on_stdout():
            sys.stdout.write(text)


@contextlib.contextmanager
def _on_stdout() -> Iterator[None]:
    """Writing to stdout: a refusal names it ("No space left on device: standard output"; alone,
    the reason did not say which file was full), flushed here so that it is seen here."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        exc.filename = exc.filename or "standard output"
        raise


@app.command()
@_guarded
def sheet(
    source: str = SourceArgument,
    question: str = QuestionOption,
    output: Optional[str] = typer.Option(
        None, "--output", "-o", help="Write the sheet here instead of stdout."
    ),
    chroma_url: Optional[str] = ChromaUrl,
    llm: Optional[str] = LLMOption,
    model: Optional[str] = ModelOption,
    base_url: Optional[str] = BaseUrlOption,
    samples: int = SamplesOption,
    candidate: Optional[str] = CandidateOption,
    transcriber: Optional[Transcriber] = TranscriberOption,
) -> None:
    """Write an interviewer sheet (Markdown): the top probes of this answer with what to listen
    for, and the rubric lines to score live. With --llm, its tailored questions join the list."""
    from grader.output import write_atomic
    from grader.render import interviewer_sheet
    from grader.scoring.grading import default_grader
    from grader.text import display_name, quantity

    report, output, _ = _graded(
        source, question, output, chroma_url=chroma_url, llm=llm, model=model,
        base_url=base_url, samples=samples, candidate=candidate, transcriber=transcriber,
    )  # fmt: skip
    stdin = source == "-"
    text = interviewer_sheet(
        report,
        default_grader().kb,
        # the speaker graded, when named: a transcript's "Priya" is who the sheet is about
        candidate=candidate or ("stdin" if stdin else Path(display_name(source)).stem),
        file=None if stdin else display_name(source),
    )
    if output is not None:
        write_atomic(output, text)
        typer.echo(
            f"wrote {output} ({quantity(len(report.follow_up_questions), 'follow-up')}, "
            f"overall {report.overall_score}/100)",
            err=True,
        )
    else:
        sys.stdout.write(text)


@app.command()
@_guarded
def questions() -> None:
    """List the case bank."""
    from rich.table import Table

    from grader.knowledge.notes import cached_kb

    kb = cached_kb()
    for unread in kb.skipped:
        typer.echo(f"note: your note was not loaded: {unread}", err=True)
    cases = kb.cases.values()
    table = Table(show_header=True)
    # the id is what `-q` and `mlsd show` take: never wrapped or cut, however narrow the terminal
    table.add_column("id", no_wrap=True, min_width=max((len(c.id) for c in cases), default=2))
    table.add_column("title")
    table.add_column("prompt", overflow="fold")
    for case in cases:
        table.add_row(case.id, case.title, case.prompt)
    _console().print(table)


@app.command()
@_guarded
def show(
    note_id: str = typer.Argument(
        ..., help="A case, concept or step id, or a report's reading id (concept:drift)."
    ),
) -> None:
    """Show a case, concept or step from the knowledge base."""
    import difflib

    from rich.console import Console
    from rich.markdown import Markdown
    from rich.syntax import Syntax

    from grader.knowledge.notes import cached_kb, front_and_prose

    kb = cached_kb()
    found = kb.readable(note_id)  # an id, or a report's reading doc id ("concept:drift")
    if found is not None:
        kind, note_id = found
        # the front matter is YAML, shown as such; read as Markdown its fields ran together
        text = kb.path_of(kind, note_id).read_text(encoding="utf-8")
        console = Console()
        if not console.is_terminal:  # piped or redirected: the note as it is, valid YAML
            sys.stdout.write(text)
            return
        front, body = front_and_prose(text)
        console.print(Syntax(front.strip("\n"), "yaml", word_wrap=True, theme="ansi_dark"))
        console.rule()
        console.print(Markdown(body))
        return
    unread = kb.unread(note_id)
    if unread:  # a note of one's own that is there but broken: say why, as grading does
        _fail(f"your note '{note_id.lower().replace('-', '_')}' could not be read: {unread}")
    every = [*kb.cases, *kb.concepts, *kb.steps]
    near = difflib.get_close_matches(note_id, every, n=3, cutoff=0.5)
    _fail(
        f"unknown id '{note_id}'"
        + (f"; did you mean {', '.join(near)}?" if near else "; see `mlsd questions`")
    )


@app.command()
@_guarded
def index(
    rebuild: bool = typer.Option(
        False, "--rebuild", help="Drop the collection and embed everything again."
    ),
    chroma_url: Optional[str] = ChromaUrl,
) -> None:
    """Build or update the Chroma index of the knowledge base (only changed notes are embedded).

    It is kept in MLSD_INDEX_DIR: by default .index/, or, with notes of your own in
    MLSD_USER_KB, MLSD_CACHE_DIR/indexes/user-HASH/, HASH naming that folder (MLSD_CACHE_DIR: .cache/).
    """
    from grader.knowledge.embedder import default_embedder
    from grader.knowledge.index import build_index
    from grader.knowledge.notes import load_kb
    from grader.text import quantity

    _use_chroma_url(chroma_url)
    stats = build_index(load_kb(), default_embedder(), rebuild=rebuild)
    typer.echo(
        f"index at {stats.location}: {quantity(stats.total, 'chunk')}, {stats.embedded} embedded, "
        f"{stats.deleted} removed in {stats.seconds:.1f}s"
    )


case_app = typer.Typer(
    no_args_is_help=True,
    help="Your own cases: written to MLSD_USER_KB (default: the user data folder's knowledge/cases), "
    "graded beside the bundled ones.",
)
app.add_typer(case_app, name="case")

TEMPLATE_GUIDE = """# A case of your own. Edit every field; `mlsd case check THIS_FILE` validates it, and
# `mlsd index` (or the next grading) embeds it. A case with the id of a bundled one replaces it.
# The template is the general framework: every concept at its usual severity, the framework's
# points per step and general questions; nothing in it is about one product.
# - id: the file name without .md; title, aliases and prompt: how candidates will ask for it.
# - systems: the kinds of system asked for (recommendation, search, classification, regression,
#   generation), so that gaps are asked about with questions written for them; [] for any.
# - components: the rubric. Each has an id of a concept note (knowledge_base/concepts/, or your
#   own in concepts/ beside cases/; `mlsd show ID`), a severity (critical, important, nice), a weight, and
#   optional cues: sentences a strong answer to THIS question would say (case-specific evidence).
# - not_applicable: component id -> why it does not apply to this question (remove it from
#   components too).
# - reference_outline: one entry per framework step; follow_ups: questions to ask.
"""


def case_template(case_id: str) -> str:
    """A new case of the general framework (every concept at its severity, each step's points,
    general questions), with what must be written marked "(edit me)"."""
    import yaml

    from grader.knowledge.notes import EDIT_ME, cached_kb

    kb = cached_kb()
    general = [q for c in kb.concepts.values() if (q := c.questions(()))]
    front = {
        "id": case_id,
        "kind": "case",
        "title": f"{case_id.replace('_', ' ').capitalize()} {EDIT_ME}",
        "systems": [],
        "aliases": [],
        "prompt": f"Write the question as you would ask it. {EDIT_ME}",
        "clarifying_questions": [
            f"What is the business goal, and how is success measured? {EDIT_ME}",
            f"How many users, items and requests, and how fast must it answer? {EDIT_ME}",
            f"Which data is logged today, and where do labels come from? {EDIT_ME}",
        ],
        "requirements": {
            "functional": [
                f"What the system returns, for whom and when. {EDIT_ME}",
                f"Which inputs it may use at that moment. {EDIT_ME}",
            ],
            "non_functional": [
                f"Scale: users, items and requests at peak. {EDIT_ME}",
                f"Latency, freshness and availability targets. {EDIT_ME}",
            ],
        },
        "components": [
            {"id": c.id, "severity": c.severity}
            for c in sorted(kb.concepts.values(), key=lambda c: kb.steps[c.step].order)
        ],
        "not_applicable": {},
        "reference_outline": [
            {"step": s.id, "points": s.strong_answer_covers[:2]} for s in kb.steps.values()
        ],
        "follow_ups": [q[-1] for q in general[-3:]],
    }
    body = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{TEMPLATE_GUIDE}{body}---\nNotes for interviewers (free text).\n"


@case_app.command("new")
@_guarded
def case_new(
    case_id: str = typer.Argument(..., help="Lower-case id, e.g. notification_ranking."),
    force: bool = typer.Option(False, "--force", help="Replace an existing file of that id."),
) -> None:
    """Write a commented case template to your cases folder: the general framework, to edit. With
    the id of a bundled case, a copy of that case instead: your edits then replace it."""
    import re

    from grader.knowledge.notes import note_path
    from grader.settings import settings

    if not re.fullmatch(r"[a-z][a-z0-9_]*", case_id):
        _fail(f"case id '{case_id}' must be lower-case letters, digits and underscores")
    target = settings().user_kb / "cases" / f"{case_id}.md"
    if target.exists() and not force:
        _fail(f"{target} exists: edit it, or pass --force to start again")
    bundled = settings().kb_dir / note_path("case", case_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    if bundled.is_file():  # a blank template would silently replace a working rubric
        target.write_bytes(bundled.read_bytes())
        typer.echo(
            f"wrote {target}: a copy of the bundled case '{case_id}', which your file replaces "
            f"when grading; edit it, then `mlsd case check {target}`",
            err=True,
        )
        return
    target.write_text(case_template(case_id), encoding="utf-8")
    typer.echo(f"wrote {target}: edit it, then `mlsd case check {target}`", err=True)


@case_app.command("check")
@_guarded
def case_check(
    path: Path = typer.Argument(
        ..., help="A case file (markdown with front matter), or the id of one in your cases folder."
    ),
) -> None:
    """Validate a case file with the same one-line errors as the bundled notes, one per problem."""
    from grader.knowledge.notes import EDIT_ME, cached_kb, case_problems, load_note
    from grader.settings import settings
    from grader.text import quantity

    mine = settings().user_kb / "cases" / f"{path}.md"  # an id, as a report's warning names it
    if not path.is_file() and path.suffix == "" and mine.is_file():
        path = mine
    if not path.is_file():
        _fail(f"{path}: no such file")
    problems = case_problems(path, cached_kb().concepts)  # a checker lists every problem at once
    if not problems:
        case = load_note(path, "case")
        if case.id != path.stem:
            problems = [f"{path}: field 'id': '{case.id}' does not match the file name"]
    if problems:
        for problem in problems[:-1]:
            typer.echo(f"error: {problem}", err=True)
        _fail(problems[-1])
    unedited = path.read_text(encoding="utf-8", errors="replace").count(EDIT_ME)
    still = f"; '{EDIT_ME}' still in {quantity(unedited, 'place')}" if unedited else ""
    typer.echo(f"ok: {path} ({quantity(len(case.components), 'component')}){still}")


history_app = typer.Typer(
    no_args_is_help=True,
    help="Saved attempts (the app saves every graded answer, `mlsd grade --save` one; "
    "MLSD_DATA_DIR sets where).",
)
app.add_typer(history_app, name="history")


def _history():
    from grader.practice.history import History

    h = History()
    if h.notice:
        typer.echo(f"note: {h.notice}", err=True)
    return h


QUESTION_COLUMN = 48  # characters of a question `history list` shows (`history show` has it all)


@history_app.command("list")
@_guarded
def history_list() -> None:
    """List the saved attempts, oldest first."""
    from rich.markup import escape
    from rich.table import Table

    from grader.text import printable, shorten

    h = _history()
    attempts = h.list()
    if not attempts:
        typer.echo(f"no attempts saved in {h.path}", err=True)
        return
    table = Table(show_header=True, title=str(h.path))
    # the version of the notes (the knowledge base) each attempt was graded with: a header
    # "notes" over "2415b54d" had read as a note
    for col in ("id", "when", "question", "mode", "source", "score", "rubric"):
        table.add_column(col, justify="right" if col in ("id", "score") else "left")
    graded_with: dict[str, set[str]] = {}  # each question's knowledge bases
    for a in attempts:
        notes = a.notes_digest[:8]
        graded_with.setdefault(a.question_id or a.question_title, set()).add(notes)
        table.add_row(
            str(a.id),
            # month and day: the year took the question's room on an 80-column terminal
            f"{a.created_at.astimezone():%m-%d %H:%M}",
            # printable: a row saved before escapes were dropped; cut: a long typed question
            # had wrapped over about 25 terminal lines a row
            escape(shorten(a.question_title, QUESTION_COLUMN)),
            a.mode,
            escape(printable(a.source)),
            str(a.overall_score),
            notes or "-",
        )
    _console().print(table)
    if any(len(d - {""}) > 1 for d in graded_with.values()):  # a case edited between attempts
        typer.echo(
            "note: attempts at one question were graded with different notes (the 'rubric' "
            "column: the knowledge base's digest); a score may have moved with them",
            err=True,
        )


@history_app.command("export")
@_guarded
def history_export(
    output: Optional[str] = typer.Option(
        None, "--output", "-o", help="Write the JSON here instead of stdout."
    ),
) -> None:
    """Export every saved attempt (answer and report) as JSON."""
    from grader.output import check_output, write_atomic
    from grader.text import quantity

    output = check_output(output)
    h = _history()
    text = h.export_json()
    if output is None:
        sys.stdout.write(text)
        return
    write_atomic(output, text)
    typer.echo(f"wrote {quantity(len(h.list()), 'attempt')} to {output}", err=True)


@history_app.command("show")
@_guarded
def history_show(
    attempt_id: int = typer.Argument(..., help="The id shown by `mlsd history list`."),
    fmt: Optional[Format] = FormatOption,
    as_json: bool = JsonOption,
    output: Optional[str] = typer.Option(
        None, "--output", "-o", help="Write the report here instead of stdout."
    ),
) -> None:
    """Show one saved attempt's report, as `mlsd grade` printed it."""
    from grader.output import check_output

    fmt = _format(fmt, as_json)
    output = check_output(output)
    attempt = _history().get(attempt_id)
    try:
        report = attempt.report
    except ValueError:
        _fail(
            f"attempt {attempt_id} was saved by a version whose report this one cannot read: "
            "`mlsd history export` has it as saved"
        )
    _write_report(report, output, fmt)


@history_app.command("import")
@_guarded
def history_import(
    export: Path = typer.Argument(..., help="A file written by `mlsd history export`."),
) -> None:
    """Add the attempts of an export that your history lacks (new ids; repeats skipped)."""
    import json

    from grader.errors import InputError
    from grader.text import display_name, quantity

    try:
        text = export.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{display_name(export)}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{display_name(export)} is a folder: give the export file") from None
    except OSError as exc:  # what the system refused, as every command says it
        raise InputError(_refused(exc)) from None
    except UnicodeDecodeError:
        raise InputError(f"{display_name(export)} is not UTF-8 text: give an export") from None
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise InputError(f"{display_name(export)} cannot be read as JSON ({exc})") from None
    h = _history()
    added, skipped = h.import_export(document)
    also = f"; {skipped} already there" if skipped else ""
    typer.echo(f"imported {quantity(added, 'attempt')} into {h.path}{also}", err=True)


def _at_terminal() -> bool:
    """Whether a person is at the keyboard: stdin and stdout are both a terminal."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _confirmed(action: str, command: str) -> None:
    """Asked at a terminal ("delete ... for good? [y/N]"; no deletes nothing, exit 1); elsewhere
    (a script, a pipe) refused in one line naming the command that confirms (exit 2)."""
    if not _at_terminal():
        _fail(f"this would {action}: run `{command}`")
    try:
        sure = typer.confirm(f"{action[0].upper()}{action[1:]}?", default=False, err=True)
    except typer.Abort:  # Ctrl+C or Ctrl+D at the prompt: a no
        typer.echo("", err=True)
        sure = False
    if not sure:
        typer.echo("nothing deleted", err=True)
        raise typer.Exit(1)


@history_app.command("delete")
@_guarded
def history_delete(
    attempt_id: int = typer.Argument(..., help="The id shown by `mlsd history list`."),
    yes: bool = typer.Option(False, "--yes", help="Confirm: delete this attempt for good."),
) -> None:
    """Delete one saved attempt (with --yes: it cannot be undone)."""
    from grader.text import shorten

    h = _history()
    attempt = h.get(attempt_id)
    if h.read_only:
        _fail(f"the history {h.path} is read-only here: nothing can be deleted from it")
    what = (
        f"attempt #{attempt_id} ('{shorten(attempt.question_title, 60)}', "
        f"{attempt.created_at.astimezone():%Y-%m-%d %H:%M}, {attempt.overall_score}/100)"
    )
    if not yes:
        _confirmed(f"delete {what} for good", f"mlsd history delete {attempt_id} --yes")
    if not h.delete(attempt_id):
        _fail(f"no attempt with id {attempt_id} in {h.path}: see `mlsd history list`")
    typer.echo(f"deleted attempt {attempt_id}", err=True)


@history_app.command("clear")
@_guarded
def history_clear(
    yes: bool = typer.Option(False, "--yes", help="Confirm: delete every saved attempt for good."),
) -> None:
    """Delete all stored history (answers and reports)."""
    from grader.text import quantity

    h = _history()
    if not yes:
        _confirmed(
            f"delete all {quantity(len(h.list()), 'saved attempt')} in {h.path} for good",
            "mlsd history clear --yes",
        )
    typer.echo(f"deleted {quantity(h.clear(), 'attempt')} from {h.path}", err=True)


@app.command()
@_guarded
def transcribe(
    audio: str = typer.Argument(
        ..., help="Audio file (wav, mp3, m4a, ogg, webm, flac) or - for stdin."
    ),
    output: Optional[str] = typer.Option(
        None, "--output", "-o", help="Write the transcript JSON here instead of stdout."
    ),
    transcriber: Optional[Transcriber] = TranscriberOption,
) -> None:
    """Transcribe audio to JSON with segment and word timestamps (`mlsd grade` reads it back)."""
    from grader.answers.files import transcribe_file
    from grader.answers.transcribe import terminal_progress
    from grader.output import check_output, write_atomic
    from grader.text import quantity

    output = check_output(output, inputs=(audio,))
    with terminal_progress() as progress:
        transcript = transcribe_file(
            audio, transcriber=transcriber.value if transcriber else None, progress=progress
        )
    text = transcript.to_json()
    for note in (transcript.cut_short, transcript.unsure):
        if note:
            typer.echo(f"warning: {note}", err=True)
    if output is not None:
        write_atomic(output, text)
        typer.echo(
            f"wrote {output} ({quantity(len(transcript.segments), 'segment')}, "
            f"{transcript.duration:.1f} s of audio)",
            err=True,
        )
    else:
        sys.stdout.write(text)


def _sigterm_as_ctrl_c(fn):
    """Run a command with SIGTERM (`kill`, a service manager stopping it) handled as Ctrl+C."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from grader.batch import sigterm_as_ctrl_c

        with sigterm_as_ctrl_c():
            return fn(*args, **kwargs)

    return wrapper


@app.command()
@_guarded
@_sigterm_as_ctrl_c
def batch(
    source: Path = typer.Argument(
        ...,
        help="A folder of answers, or a .csv (.tsv) / .jsonl with id, question and answer or path.",
    ),
    out: Path = typer.Option(
        Path("mlsd-batch"), "--out", "-o", help="Folder for reports and the summary."
    ),
    question: Optional[str] = typer.Option(
        None, "--question", "-q", help="The question, for a folder or for rows without one."
    ),
    workers: int = typer.Option(
        os.cpu_count() or 1,
        "--workers",
        "-w",
        min=1,
        max=64,
        help="Grading processes (default: the core count; they share the cores for embedding).",
    ),
) -> None:
    """Grade a cohort: one JSON report and one interviewer sheet per answer, summary.csv and
    summary.md; reruns resume. Exit code 1 when a row could not be graded."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from grader.batch import (
        BatchInterrupted,
        read_rows,
        renamed,
        run_batch,
        stop_deferred,
        write_summary,
        writing_to,
    )
    from grader.text import display_name, quantity

    if question:  # a typo in a case id fails here, not once per answer
        from grader.knowledge.notes import cached_kb
        from grader.scoring.grading import case_named

        case_named(cached_kb(), question)
    from grader.output import check_output_folder

    check_output_folder(out)
    rows, problems = read_rows(source, question, out)
    for line in renamed(rows):
        typer.echo(line, err=True)
    if question and rows and all(r.question != question.strip() for r in rows):
        # a table whose every row names its question: -q answers none of them, and says so
        typer.echo(
            f"--question was not used: every row of {display_name(source)} names its own question",
            err=True,
        )
    ids, given = [r.id for r in rows], {r.id: r.given for r in rows if r.given}
    if out.exists() and not out.is_dir():
        _fail(f"--out {out} is a file: give a folder")
    with writing_to(out):  # a second batch into the same folder is refused
        columns = (TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        try:
            # on stderr, and only on a terminal: stdout stays the caller's (a pipe had got a
            # blank line from the bar's last frame)
            err = Console(stderr=True)
            with Progress(
                *columns, console=err, transient=True, disable=not err.is_terminal
            ) as bar:
                task = bar.add_task("grading", total=None)
                done = run_batch(
                    rows,
                    out,
                    workers=workers,
                    progress=lambda n, total: bar.update(task, completed=n, total=total),
                )
        except BatchInterrupted as stop:
            # the summary of what is graded so far (this input's rows with a report), for a look;
            # the rows still to grade are listed as such, never with a report of an earlier answer
            waiting = {p.id for p in stop.waiting}
            graded = [i for i in ids if i not in waiting]
            write_summary(out, problems + stop.failed + stop.waiting, graded, given)
            earlier = f" ({stop.kept} more kept from an earlier run)" if stop.kept else ""
            rest = (
                "run the same command again to grade the rest"
                if waiting
                else "none was left to grade"
            )
            _fail(
                f"interrupted: graded {stop.done} of the {quantity(stop.total, 'answer')} left to "
                f"grade{earlier}; {stop.done + stop.kept} of {len(rows)} have a report in {out}, "
                f"summarised so far in {out / 'summary.md'}; {rest}",
                stop.exit_code,
            )
        except (
            OSError
        ) as exc:  # a full disk: the reports written stay, and a rerun goes on from them
            if _debug():
                raise
            kept = sum(1 for _ in (out / "reports").glob("*.json"))
            _fail(
                f"{_refused(exc)}; {quantity(kept, 'report')} kept in {out / 'reports'}: "
                "free some space (or mend the cause) and run the same command again to grade the rest"
            )
        problems += done.problems
        for p in sorted(problems, key=lambda p: p.line):
            typer.echo(f"{p.where}: {p.id or '-'}: {p.reason}", err=True)
        with stop_deferred():  # a Ctrl+C now waits for the summary of what was graded
            reports = write_summary(out, problems, ids, given)
        if not reports:
            _fail(
                f"no answer was graded ({len(problems)} not graded: see above)"
                if problems
                else f"no answer was graded: {source} holds no rows"
            )
        changed = (
            f" ({done.changed} whose answer, question or grader changed since the last run)"
            if done.changed
            else ""
        )
        others = sum(p.stem not in reports for p in (out / "reports").glob("*.json"))
        left = (
            f", beside {quantity(others, 'report')} of answers not in this input" if others else ""
        )
        typer.echo(
            f"{quantity(done.graded, 'answer')} graded{changed}, {done.kept} kept from the last run "
            f"(same answer, question and grader), {len(problems)} not graded; "
            f"{quantity(len(reports), 'report')} of this input in {out / 'reports'}{left}, with "
            f"interviewer sheets in {out / 'sheets'}; summary: {out / 'summary.md'}, {out / 'summary.csv'}",
            err=True,
        )
        if problems:  # a script can tell that some rows need a look
            raise typer.Exit(EXIT_PARTIAL)


@app.command()
@_guarded
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes."),
    chroma_url: Optional[str] = ChromaUrl,
) -> None:
    """Serve the HTTP API (POST /v1/grade, GET /v1/questions, /v1/notes/ID, /healthz, /docs)."""
    from grader.extras import needs

    with needs("api", "mlsd serve"):
        import uvicorn

        import grader.api  # noqa: F401 - fails here, in one line, when FastAPI is missing

    from grader.settings import settings

    if chroma_url:  # worker processes read their settings from the environment they inherit
        os.environ["MLSD_CHROMA_URL"] = chroma_url
    config = settings()  # a bad setting (MLSD_API_QUEUE=0) fails here, before it says it serves
    _check_port(host, port)
    if not config.api_token and host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo(
            f"warning: {host} lets other machines call the API, and MLSD_API_TOKEN is not set: "
            "anyone who can reach it may use it",
            err=True,
        )
    typer.echo(
        f"serving the API on http://{host}:{port} (docs at /docs); Ctrl+C stops it", err=True
    )
    uvicorn.run(
        "grader.api:app_factory", factory=True, host=host, port=port, workers=workers,
        log_level="warning", access_log=False,
    )  # fmt: skip


def _check_port(host: str, port: int) -> None:
    """Fail in one line when the address cannot be listened on (a port in use, a host that is not
    this machine's), before uvicorn reports it its own way."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


def main() -> None:
    try:
        code = app(standalone_mode=False)
    except typer.TyperException as e:  # a usage error: one line, like every other error
        code = e.exit_code
        if type(e).__name__ != "NoArgsIsHelpError":  # (that one has printed the help asked for)
            ctx = getattr(e, "ctx", None)
            where = f" (see {ctx.command_path if ctx else 'mlsd'} --help)"
            typer.echo(f"error: {' '.join(e.format_message().split())}{where}", err=True)
    except typer.Abort:
        typer.echo("Aborted.", err=True)
        code = 1
    finally:
        # The command is done and its output written. Python's last act would be a garbage
        # collection over every object the process made (numpy, onnxruntime, pydantic models:
        # 0.15-0.2 s of a cold `mlsd grade` on 2 cores); frozen, they are left to the exit.
        gc.freeze()
    if isinstance(code, int) and not isinstance(code, bool) and code:
        sys.exit(code)


if __name__ == "__main__":
    main()
