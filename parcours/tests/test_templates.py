"""Every template's page title is text: a block title holding markup sent the whole
marks history of a jury page a second time, inside its <title> (issue 19, item 4)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TITLE = re.compile(r"{%\s*block title\s*%}(.*?){%\s*endblock", re.S)


def test_no_page_title_holds_markup():
    offenders = []
    for path in sorted(ROOT.glob("*/templates/**/*.html")):
        if ".venv" in path.parts:
            continue
        for title in TITLE.findall(path.read_text()):
            if "<" in title or "{% for" in title:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
