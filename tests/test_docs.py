"""The Python snippets of README.md and docs/ run as written."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# docs/perceptron.md has its own test, with its printed output (test_perceptron.py).
PAGES = [
    "README.md",
    *sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "docs").glob("*.md")
        if p.name != "perceptron.md"
    ),
]


def _snippets(page):
    return re.findall(r"```python\n(.*?)```", (ROOT / page).read_text(), re.DOTALL)


@pytest.mark.parametrize("page", PAGES)
def test_page_snippets_run_in_order(page):
    # A page's snippets share one namespace, as a reader running them in order
    # in one session would: a later snippet may use an earlier one's data.
    snippets = _snippets(page)
    namespace = {}
    for i, snippet in enumerate(snippets):
        exec(compile(snippet, f"{page} (snippet {i + 1})", "exec"), namespace)


def test_every_page_with_code_is_covered():
    # A new page with Python snippets is picked up by the glob; this guards the
    # glob itself (and the snippet pattern) against silently matching nothing.
    covered = [page for page in PAGES if _snippets(page)]
    assert {"README.md", "docs/api.md", "docs/performance.md"} <= set(covered)
