"""Helpers of the browser journeys (Playwright on Debian's Chromium), and the gate every
step of a journey passes (issue 14, item 17): axe-core finds no critical or serious
violation, the page is no wider than the viewport at 375, 1024 and 1280 px, and a
failed submit leaves its error summary in view and focused."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
ACCESSIBILITY_REPORT = ARTIFACTS / "accessibility.json"
TEST_PASSWORD = "motdepasse-solide-42"  # the password of admissions.tests.conftest.make_user
WIDTHS = (375, 1024, 1280)
SCREENSHOT_WIDTHS = (375, 1280)
BLOCKING = ("critical", "serious")
IMPACTS = ("critical", "serious", "moderate", "minor")
_report: dict[str, dict] = {}  # this run's pages, written after each audit
# Words for developers, not for people (issue 14, item 14); file names of ours, not of
# what a user uploaded.
RULE_ID = re.compile(r"\bR-[A-Z]{3}-\d+\b")
FILE_NAME = re.compile(r"\b[\w/-]+\.(?:toml|py|yaml|html)\b")


# The innermost elements whose right edge passes the viewport: what to fix.
WIDEST_ELEMENTS = """(width) => {
    const wide = [...document.querySelectorAll("body *")].filter(
        (e) => e.getBoundingClientRect().right > width + 1
    );
    const inner = wide.filter((e) => !wide.some((o) => o !== e && e.contains(o)));
    const name = (e) => {
        const classes = typeof e.className === "string" ? e.className.trim() : "";
        return e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
            (classes ? "." + classes.split(/\\s+/).join(".") : "");
    };
    return inner.slice(0, 3).map(name).join(", ");
}"""


def audit(page, name: str, folder: Path) -> None:
    """The gate on the page as it stands: axe-core's violations counted per impact into
    artifacts/accessibility.json, full-page screenshots at 375 and 1280 px, and a
    failure on a critical or serious violation or on a page wider than its viewport."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    counts = Counter(v["impact"] for v in violations)
    _report[f"{folder.name}/{name}"] = {
        "path": urlsplit(page.url).path,
        **{impact: counts.get(impact, 0) for impact in IMPACTS},
        "rules": sorted({v["id"] for v in violations}),
    }
    ACCESSIBILITY_REPORT.parent.mkdir(parents=True, exist_ok=True)
    ACCESSIBILITY_REPORT.write_text(json.dumps(_report, indent=1, sort_keys=True))

    text = page.inner_text("main")
    audience = page.evaluate("document.body.dataset.audience")
    jargon = FILE_NAME.findall(text)
    if audience != "staff":  # staff may read a discreet rule reference
        jargon += RULE_ID.findall(text)
    assert not jargon, f"{name} ({page.url}) montre : {', '.join(sorted(set(jargon)))}"

    original = page.viewport_size
    too_wide = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": original["height"]})
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            culprits = page.evaluate(WIDEST_ELEMENTS, width)
            too_wide.append(f"{scroll} px de large à {width} px ({culprits})")
        if width in SCREENSHOT_WIDTHS:
            page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(original)

    blocking = [
        f"{v['impact']} {v['id']} ({v['help']}) : "
        + " ; ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in violations
        if v["impact"] in BLOCKING
    ]
    assert not blocking, f"{name} ({page.url}) : " + "\n".join(blocking)
    assert not too_wide, f"{name} ({page.url}) déborde : " + ", ".join(too_wide)


def screenshots(folder: str):
    """A `shot(page, name)` that audits the page (see `audit`) and saves its screenshots
    to artifacts/screenshots/<folder>/<name>-375.png and -1280.png."""
    target = SCREENSHOTS / folder
    target.mkdir(parents=True, exist_ok=True)

    def shot(page, name: str) -> None:
        audit(page, name, target)

    return shot


def assert_error_in_view(page) -> None:
    """After a failed submit: the error summary has the focus and is on screen."""
    state = page.evaluate(
        """() => {
            const summary = document.querySelector("[data-error-summary]");
            if (!summary) return "absent";
            if (document.activeElement !== summary) return "sans le focus";
            const box = summary.getBoundingClientRect();
            return box.top > -1 && box.top < window.innerHeight
                ? "ok"
                : `hors de vue (haut à ${Math.round(box.top)} px, ` +
                  `fenêtre de ${window.innerHeight} px)`;
        }"""
    )
    assert state == "ok", f"résumé des erreurs : {state} ({page.url})"


def sign_in(page, site: str, email: str, password: str = TEST_PASSWORD) -> None:
    page.goto(f"{site}/compte/connexion/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def pdf_links(pdf: bytes) -> list[str]:
    """The addresses of a PDF's link annotations (WeasyPrint writes them inside
    compressed object streams): what a reader opens when it follows a link."""
    import re
    import zlib

    found = re.findall(rb"/URI \(([^)]*)\)", pdf)
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            found += re.findall(rb"/URI \(([^)]*)\)", zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return [link.decode("latin-1") for link in found]
