"""mlsd-grader: grade machine-learning system design interview answers, offline."""

__version__ = "0.2.1"

__all__ = ["grade", "GradeReport", "__version__"]


def __getattr__(name: str):
    # Lazy, so `import grader` stays cheap for the CLI and the tests.
    if name == "grade":
        from grader.scoring.grading import grade

        return grade
    if name == "GradeReport":
        from grader.report import GradeReport

        return GradeReport
    raise AttributeError(name)
