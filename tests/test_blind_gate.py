"""Regression gate on the blind test set: the fast third of `python -m evals.blind`.

Floors sit 0.01 under the figures measured when the gate was set (evals/blind_report_fast in the
closing note of that change), so grading can only stay or get better on data nobody tuned on. The
figures are read here, never looked at to choose a change: choose on the calibration split.
"""

import pytest

from evals import blind

pytestmark = pytest.mark.slow
FLOORS = {  # grader, all answers of the fast subset
    # raised (precision from 0.714, recall from 0.833, agreement from 0.809, QWK from 0.694,
    # Spearman from 0.789) when components began to read the passages readers marked for them
    # in development answers (`w_reference`): 0.777 / 0.847 / 0.847 / 0.743 / 0.829 here; with
    # section headings naming the topics under them, 0.779 / 0.847 / 0.849 / 0.744 / 0.829; with
    # the keyword lists' terms of art (fifty-eighth session), 0.788 / 0.843 / 0.852 / 0.739 / 0.827;
    # with shared keywords naming their passage's owner and depth per component (fifty-ninth),
    # 0.786 / 0.847 / 0.852 / 0.745 / 0.838; with figures and cadences read as said (sixtieth),
    # 0.793 / 0.843 / 0.855 / 0.742 / 0.815
    "missing_precision": 0.783,
    # recall lowered from 0.875 and QWK from 0.71 when the fit took in the broadened cues and the
    # development set's speech transcripts (fit-09afee62); see evals/README.md. Lowered again from
    # 0.846 when a typed question near a bank case began to be graded on the framework components
    # that case leaves out (0.843 here; 0.882 -> 0.874 on all answers, precision 0.746 -> 0.752):
    # a known regression, see evals/README.md. Lowered from 0.837 when a cadence said in words
    # ("every month") began to read as a figure (eighty-second session: 0.837 -> 0.834 here with
    # precision 0.789 -> 0.793; on all answers recall 0.872 -> 0.871, precision 0.788 -> 0.792,
    # agreement 0.855 -> 0.857): a known regression, chosen on the choice data before the read.
    # Lowered from 0.83 when a loss named in any sentence began to count as chosen and four cues
    # on leakage in time joined training-serving skew (eighty-fifth session: 0.834 -> 0.827
    # here, precision 0.793 -> 0.792; on all answers recall 0.871 -> 0.868, precision 0.792 ->
    # 0.794, agreement 0.857 both): a known regression, chosen on the choice data (development
    # agreement +0.001 to +0.003 on three sets) before the read
    "missing_recall": 0.82,
    "component_agreement": 0.845,
    "qwk": 0.735,
    # raised from 0.753 when steps and the overall began to count verdicts (fit-499aa7db: 0.799
    # on this subset, 0.85 on all 84 answers); from 0.819 in the fifty-ninth session (0.838).
    # Lowered from 0.828 when a figure stated of something began to count as said (sixtieth
    # session: 0.815 here, 0.871 -> 0.863 on all answers, while the development sets' rose 0.813
    # -> 0.815 and 0.711 -> 0.726); a known regression, see evals/README.md
    "spearman": 0.805,
}


@pytest.fixture(scope="module")
def figures(grader):
    return blind.run(fast=True, grader=grader)["peers"]


def test_agreement_with_blind_labels_does_not_fall(figures):
    got = figures["grader"]["labels"]["all"]
    low = {k: (got[k], floor) for k, floor in FLOORS.items() if got[k] < floor}
    assert not low, low


def test_evidence_questions_transcripts_and_ablations_do_not_fall(figures):
    g = figures["grader"]
    # transcripts 0.902 on this subset with fit-499aa7db (0.868 on all answers); evidence raised
    # from 0.374 when a unit naming the topic began to be quoted first: 0.545 on this subset
    # (0.424 -> 0.570 on all answers), 0.541 once windows stopped reading headings (0.565).
    # Both lowered when the int8 weights went to 7 bits: the 8-bit figures held only on CPUs
    # with VNNI (on an AVX2 one this subset gave evidence 0.51), and the 7-bit model, exact on
    # every CPU, gives evidence 0.535 and transcripts 0.888 here (0.541 and 0.871 on all
    # answers, with keywords counting only beside design language). Raised when a component began
    # to quote only units it owns, ownership read by closeness (the mean of a unit's four best cue
    # similarities): 0.544 here, 0.572 on all answers; see evals/README.md. Words that only
    # promise ("regularly", "optimal performance") counting as naming, and a component quoting
    # only passages about it (one it owns, or one naming its topic): evidence 0.541 here (0.594 on
    # all answers), transcripts 0.888 (0.878 on all answers). Lowered from 0.531 with the quotes
    # ranked by their lead over other components and the reference passages (chosen on the
    # development set: 0.697 -> 0.705): 0.515 of this subset's 101 quotes, 0.570 -> 0.568 on all
    # answers; a known regression, see evals/README.md (fifty-seventh session). With section
    # headings naming the topics under them: 0.525 here, 0.580 on all answers. Raised when a
    # passage naming a component's topic but reading clearly more like another stopped being
    # quoted for it (sixty-second session): 0.574 of this subset's 94 quotes, 0.598 -> 0.637 on
    # all answers. Raised when quotes began to rank by the passages readers marked as much as by
    # the cues (sixty-eighth session): 0.619 of this subset's 97 quotes, 0.637 -> 0.660 on all.
    # Lowered from 0.609 when general statements (a glossary line, "X matters because ...")
    # stopped counting (seventy-fifth session): 0.608 here, one quote of 97 (0.619 with them
    # read), the development sets' figures unchanged; a known regression, see evals/README.md
    assert g["evidence"]["evidence_precision"] >= 0.598
    assert g["questions"]["in_bank_matched_to_case"] == 1.0
    assert (
        g["questions"]["out_of_bank_scaled_as_off_topic"] == 0.0
    )  # they answer the question asked
    # lowered from 0.878 when the offsets were refitted under said_margin (fit-5d914496): 0.874
    # here, 0.860 on all answers (0.876 before), while the development set's rose 0.891 -> 0.900
    # and the blind Spearman 0.847 -> 0.855; a known regression, see evals/README.md
    # raised with the reference passages: 0.903 here, 0.887 on all answers (0.865 before).
    # Lowered from 0.893 in the fifty-ninth session (a shared keyword naming only its passage's
    # owner, words said by naming passages, windows owned as their sentence): 0.888 here, 0.884
    # -> 0.881 on all answers, while the development set's rose 0.849 -> 0.853; a known
    # regression, see evals/README.md. Lowered from 0.878 when passages that claim without saying
    # how began to earn nothing (sixty-fourth session): 0.853 here, 0.881 -> 0.866 on all answers,
    # the development set's unchanged at 0.853; a known regression, see evals/README.md
    assert g["transcripts"]["transcript_agreement"] >= 0.843
    # lowered from 0.371 when steps began to count verdicts (a step moves when a carried
    # component's verdict changes, not with every point of its score): 0.333 of this subset's 21,
    # 0.328 of all 119 (0.387 before); a known regression, see evals/README.md. Lowered again
    # to 0.228 with windows read from their sentences (fit-3e574322): 5 of this subset's 21
    # against 7, while all 119 rose to 0.353; the subset is too small to move this floor up.
    # Raised when a step began to say how much the answer says about it (`step_score`): 10 of
    # this subset's 21 (0.476), 0.571 of all 119. Lowered when a component the answer says
    # something about became partial a little under the cut-off (`said_margin`): a stray sentence
    # elsewhere can now keep a component partial once its section is gone, 9 of this subset's 21
    # (0.429), while all 119 rose to 0.588 and the development set's to 0.651. Lowered with the
    # keyword lists' terms of art: 8 of this subset's 21 (0.381), all 119 unchanged at 0.588; a
    # known regression, see evals/README.md (fifty-eighth session). Raised when each present
    # component's credit in its step began to count how much its own passages say: 9 of 21
    # (0.429), all 119 0.588 -> 0.605 (fifty-ninth session). Lowered when a unit naming a topic
    # began to lean to its component and a newcomer said to lack history to name cold start
    # (eighty-sixth session, both chosen on the development sets before the read): 8 of 21
    # (0.381); a known regression of one removal, see evals/README.md
    assert g["ablation"]["noticed"] >= 0.371


def test_the_baseline_is_scored_beside_the_grader(figures):
    base = figures["keyword baseline"]["labels"]["all"]
    assert base["labels"] == figures["grader"]["labels"]["all"]["labels"] > 0
