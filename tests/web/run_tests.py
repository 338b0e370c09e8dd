"""The web app's tests for `make test` (scripts/dev.py runs this instead of pytest, with
the JUnit report path): installs what they need (Node packages, Debian's chromium),
builds the app, type-checks and lints it (tsc, ESLint), runs the unit and component tests
(vitest), then the browser tests
(Playwright) against a platform started by pytest (conftest.py), and writes one JUnit
file with every vitest and Playwright test case, so the closing line counts them one by
one. Screenshots and failure traces: $RENTEZY_STATE/test-artifacts/web/.

    python tests/web/run_tests.py REPORT.xml [pytest args...]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FRONTEND = REPO / "frontend"
STATE = Path(os.environ.get("RENTEZY_STATE", REPO / ".rentezy"))
ARTIFACTS = STATE / "test-artifacts" / "web"


def step(*cmd: str, cwd: Path = REPO, env=None) -> int:
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=cwd, env=env, check=False).returncode


def failure_suite(name: str, message: str) -> ET.Element:
    suite = ET.Element("testsuite", name=name, tests="1", failures="0", errors="1", skipped="0")
    case = ET.SubElement(suite, "testcase", classname="tests/web", name=name)
    ET.SubElement(case, "error", message=message)
    return suite


def suites_of(path: Path) -> list[ET.Element]:
    root = ET.parse(path).getroot()  # noqa: S314 - our own runners' reports
    return [root] if root.tag == "testsuite" else list(root.iter("testsuite"))


def main() -> int:
    report = Path(sys.argv[1]).resolve()
    pytest_args = sys.argv[2:]
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    env = {**os.environ, "WEB_ARTIFACTS": str(ARTIFACTS)}
    env.setdefault("RENTEZY_ENV", "test")
    suites: list[ET.Element] = []

    for setup in (("chromium",), ("build",)):
        if step(str(REPO / "scripts" / "frontend.sh"), *setup, env=env) != 0:
            suites.append(failure_suite(f"frontend.sh {setup[0]}", "setup failed"))
            return write(report, suites)

    vitest = ARTIFACTS / "vitest.xml"
    if step("npx", "tsc", "--noEmit", cwd=FRONTEND, env=env) != 0:
        suites.append(failure_suite("typescript", "tsc --noEmit found type errors"))
    if step("npm", "run", "--silent", "lint", cwd=FRONTEND, env=env) != 0:
        suites.append(failure_suite("eslint", "npm run lint found problems"))
    step(
        "npx", "vitest", "run", "--reporter=default", "--reporter=junit",
        f"--outputFile.junit={vitest}", cwd=FRONTEND, env=env,
    )  # fmt: skip
    suites += suites_of(vitest) if vitest.exists() else [failure_suite("vitest", "no report")]

    playwright = ARTIFACTS / "playwright.xml"
    harness = ARTIFACTS / "harness.xml"
    env["PLAYWRIGHT_JUNIT"] = str(playwright)
    code = step(
        sys.executable, "-m", "pytest", f"--junitxml={harness}", *pytest_args, cwd=HERE, env=env
    )
    if playwright.exists():
        suites += suites_of(playwright)
    elif harness.exists():  # the platform did not start: pytest's report says why
        suites += suites_of(harness)
    else:
        suites.append(failure_suite("playwright", f"pytest exited {code} without a report"))
    return write(report, suites)


def write(report: Path, suites: list[ET.Element]) -> int:
    root = ET.Element("testsuites")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for suite in suites:
        # Count from the cases (reporters disagree on which totals they write).
        cases = suite.findall("testcase")
        counts = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None),
            "skipped": sum(1 for c in cases if c.find("skipped") is not None),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        root.append(suite)
    for key, value in totals.items():
        root.set(key, str(value))
    report.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(report, encoding="utf-8", xml_declaration=True)
    print(
        f"web: {totals['tests']} tests, {totals['failures'] + totals['errors']} failed, "
        f"{totals['skipped']} skipped (report {report}; screenshots {ARTIFACTS}/screenshots)"
    )
    return 1 if totals["failures"] or totals["errors"] or not totals["tests"] else 0


if __name__ == "__main__":
    sys.exit(main())
