"""mlsd-grader: grade machine-learning system design interview answers, offline."""

import os as _os

__version__ = "0.1.0"

# Offline and private by default: no telemetry, no model hub.
for _key, _value in {"ANONYMIZED_TELEMETRY": "False", "RAGAS_DO_NOT_TRACK": "true",
                     "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}.items():
    _os.environ.setdefault(_key, _value)

__all__ = ["grade", "GradeReport", "__version__"]


def __getattr__(name: str):
    # Lazy, so `import grader` stays cheap for the CLI and the tests.
    if name == "grade":
        from grader.grading import grade

        return grade
    if name == "GradeReport":
        from grader.report import GradeReport

        return GradeReport
    raise AttributeError(name)
