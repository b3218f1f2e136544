"""axe-core in the page: WCAG 2.2 A and AA checks.

axe.min.js comes from the installed axe-playwright-python package (nothing is downloaded at
run time). It is injected with page.evaluate, not a <script> tag, because the app's CSP
(script-src 'self') rightly refuses injected script elements.

    visit(page, "/sign-in")   # goto, then check_a11y
    check_a11y(page)          # fails the test listing every violation

axe is asynchronous (timers, promises), so it cannot run in a page whose JavaScript is off:
for those, check_a11y(page, javascript=False) runs it on a copy of the page's DOM, served
at the same URL in a scratch page whose own scripts are blocked by a CSP.
"""

from functools import cache
from pathlib import Path

import axe_playwright_python

AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

RUN_AXE = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})
    .then(results => results.violations)"""


class AccessibilityError(AssertionError):
    """axe-core found WCAG 2.2 A/AA violations on a page."""


@cache
def axe_source():
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page):
    """The axe violations (dicts, as axe reports them) for the page's current document."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    return page.evaluate(RUN_AXE, WCAG_TAGS)


def run_axe_on_copy(page):
    """The violations for a JavaScript-off page, found on a script-free copy of its DOM."""
    url, html = page.url, page.content()
    context = page.context.browser.new_context(viewport=page.viewport_size)
    try:
        scratch = context.new_page()
        scratch.route(
            lambda requested: requested == url,
            lambda route: route.fulfill(
                status=200,
                content_type="text/html; charset=utf-8",
                headers={"Content-Security-Policy": "script-src 'none'"},
                body=html,
            ),
        )
        scratch.goto(url)
        return run_axe(scratch)
    finally:
        context.close()


def format_violations(violations, url):
    count = sum(len(v["nodes"]) for v in violations)
    lines = [f"axe-core: {len(violations)} WCAG rule(s) violated by {count} element(s) on {url}"]
    for violation in violations:
        lines.append(
            f"\n* {violation['id']} ({violation.get('impact') or 'no impact given'}): "
            f"{violation['help']}\n  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"  - target: {target}")
            lines.append(f"    html:   {node['html']}")
            summary = (node.get("failureSummary") or "").strip()
            if summary:
                lines.extend(f"    {line}" for line in summary.splitlines())
    return "\n".join(lines)


def check_a11y(page, *, javascript=True):
    """Fail with every violation's rule, impact, help and offending elements.

    javascript=False: the page's context has JavaScript off (see the module docstring).
    """
    violations = run_axe(page) if javascript else run_axe_on_copy(page)
    if violations:
        raise AccessibilityError(format_violations(violations, page.url))


def visit(page, url, *, javascript=True):
    """Go to url (relative to the context's base_url), check it with axe, return the response."""
    response = page.goto(url)
    check_a11y(page, javascript=javascript)
    return response
