"""An interviewer's own cases: `mlsd case new` / `check`, an overlay that adds to or overrides the
bundled knowledge base, picked up by the index incrementally and recorded in the report."""

import os
import shutil
import subprocess
import sys

import pytest

from grader.errors import KnowledgeBaseError
from grader.knowledge.notes import load_kb
from tests.conftest import EXAMPLES, ROOT


def _mlsd(*args, user, **env):
    return subprocess.run(
        [sys.executable, "-m", "grader.cli", *args], capture_output=True, text=True, cwd=ROOT,
        env={**os.environ, "MLSD_USER_KB": str(user), **env}, timeout=300,
    )  # fmt: skip


def test_a_new_case_template_is_valid_and_loads_beside_the_bundled_ones(tmp_path, kb):
    made = _mlsd("case", "new", "notification_ranking", user=tmp_path)
    assert made.returncode == 0, made.stderr
    path = tmp_path / "cases" / "notification_ranking.md"
    checked = _mlsd("case", "check", str(path), user=tmp_path)
    assert checked.returncode == 0 and checked.stdout.startswith("ok:"), checked.stderr
    again = _mlsd("case", "new", "notification_ranking", user=tmp_path)
    assert again.returncode == 2 and "exists" in again.stderr  # never overwrites without --force
    mine = load_kb(user=tmp_path)
    assert set(mine.cases) == set(kb.cases) | {"notification_ranking"}
    assert mine.user_notes == ["user/cases/notification_ranking.md"] and mine.digest != kb.digest
    assert (
        mine.is_user("case", "notification_ranking")
        and mine.path_of("case", "notification_ranking") == path
    )


def test_a_user_case_overrides_a_bundled_one_and_errors_name_the_file(tmp_path, kb):
    (tmp_path / "cases").mkdir()
    own = tmp_path / "cases" / "spam_detection.md"
    text = (ROOT / "knowledge_base" / "cases" / "spam_detection.md").read_text()
    own.write_text(
        text.replace("title: Spam detection for email or messaging", "title: Our spam filter")
    )
    assert load_kb(user=tmp_path).cases["spam_detection"].title == "Our spam filter"
    own.write_text(text.replace("  - id: privacy", "  - id: no_such_concept", 1))
    with pytest.raises(KnowledgeBaseError, match=f"{own}: field 'components': unknown concept id"):
        load_kb(user=tmp_path)
    bad = _mlsd("case", "check", str(own), user=tmp_path / "elsewhere")
    assert bad.returncode == 2 and "unknown concept id 'no_such_concept'" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_a_user_case_is_indexed_incrementally_and_recorded_in_the_report(tmp_path, real_index_dir):
    index = tmp_path / "index"
    shutil.copytree(real_index_dir, index)
    assert _mlsd("case", "new", "notification_ranking", user=tmp_path / "mine").returncode == 0
    built = _mlsd("index", user=tmp_path / "mine", MLSD_INDEX_DIR=str(index))
    assert built.returncode == 0, built.stderr
    embedded = int(built.stdout.split(" embedded")[0].rsplit(", ", 1)[1])
    assert 0 < embedded < 100  # only the new case's chunks, not the whole base
    graded = _mlsd(
        "grade", str(EXAMPLES / "video_recommendation_weak.md"), "-q", "notification_ranking", "-f", "json",
        user=tmp_path / "mine", MLSD_INDEX_DIR=str(index), MLSD_AUTO_INDEX="0",
    )  # fmt: skip
    assert graded.returncode == 0, graded.stderr
    assert '"user_notes": [\n      "user/cases/notification_ranking.md"\n    ]' in graded.stdout
