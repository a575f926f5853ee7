"""No function in scheduler/ runs over MAX_LINES lines unless it is listed in LONG with
the reason it must stay long: a long function is split into steps a reader can find."""

import ast
from pathlib import Path

MAX_LINES = 60
PACKAGE = Path(__file__).resolve().parent.parent / "scheduler"

# (path under scheduler/, function name): why it stays long, in one sentence.
LONG = {}


def _long_functions():
    """{(path, name): lines} of every function (nested ones too) over MAX_LINES."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_LINES:
                    found[(path.relative_to(PACKAGE).as_posix(), node.name)] = lines
    return found


def test_no_function_is_long_without_a_reason():
    unlisted = {key: n for key, n in _long_functions().items() if key not in LONG}
    assert not unlisted, (
        f"functions over {MAX_LINES} lines: split them into steps, or list them in LONG "
        f"with the reason: {unlisted}"
    )


def test_every_listed_function_is_still_long_and_has_a_reason():
    long = _long_functions()
    assert not [key for key in LONG if key not in long], "no longer long: drop it from LONG"
    assert all(reason.strip() for reason in LONG.values())
