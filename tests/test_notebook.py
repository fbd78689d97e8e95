"""The tutorial notebook (docs/tutorial.ipynb) runs from top to bottom (nbmake) and prints what
the saved copy shows (the site renders the saved copy), compared as the documentation is
(tests/test_docs.py: text exactly, solver digits to a tolerance)."""
from pathlib import Path

import pytest
from nbmake.nb_run import NotebookRun

from tests.test_docs import compare

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "tutorial.ipynb"


def _texts(nb) -> list:
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        parts = []
        for o in cell.outputs:
            if o.get("output_type") == "stream" and o.get("name") == "stdout":
                parts.append(o["text"])
            elif "data" in o and "text/plain" in o["data"]:
                parts.append(o["data"]["text/plain"] + "\n")
        out.append("".join(parts))
    return out


@pytest.mark.slow  # a kernel, an SDP solve and a 2-state sweep: ~10 s
def test_tutorial_notebook_runs_and_shows_what_it_prints():
    import nbformat
    saved = nbformat.read(str(NOTEBOOK), 4)
    result = NotebookRun(NOTEBOOK, default_timeout=600).execute()
    assert result.error is None, result.error and result.error.summary
    fresh = _texts(result.nb)
    shown = _texts(saved)
    assert len(fresh) == len(shown)
    for i, (s, f) in enumerate(zip(shown, fresh)):
        problem = compare(s, f)
        assert problem is None, f"code cell {i}: {problem}"
    # every displayed result in the notebook is short (a line or a table)
    for cell in saved.cells:
        for o in cell.get("outputs", []):
            plain = o.get("data", {}).get("text/plain", "")
            assert len(plain) <= 400, plain[:100]
