"""A missing extra is named in one line; any other import error is a bug and stays one."""

import pytest

from grader.errors import GraderError
from grader.extras import needs


def test_a_missing_module_of_the_extra_names_the_extra(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "fastapi", None)  # as if not installed
    with pytest.raises(GraderError, match=r"pip install 'mlsd-grader\[api\]'"):
        with needs("api", "mlsd serve"):
            import fastapi  # noqa: F401


def test_another_missing_module_is_not_blamed_on_the_extra():
    with pytest.raises(ModuleNotFoundError):
        with needs("api", "mlsd serve"):
            import a_module_nobody_ships  # noqa: F401
