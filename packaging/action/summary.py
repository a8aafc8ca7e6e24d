"""The GitHub Action's job summary, from keyleak's SARIF (packaging/action/scan.sh).

    summary.py SARIF SCOPE

Appends a Markdown table of the findings by risk, then one row per finding (the worst
first, at most 50), to $GITHUB_STEP_SUMMARY, and prints the number of findings. It only
reads what keyleak wrote: secrets are already redacted there.
"""

import json
import os
import sys

RISKS = ["critical", "high", "medium", "low", "info"]
MAX_ROWS = 50


def cell(text):
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def rows(results):
    for result in results:
        props = result.get("properties", {})
        location = (result.get("locations") or [{}])[0].get("physicalLocation", {})
        path = location.get("artifactLocation", {}).get("uri", "")
        line = location.get("region", {}).get("startLine")
        where = f"{path}:{line}" if line else path
        yield props.get("risk", ""), where, props.get("keyId", ""), result.get("ruleId", "")


def main():
    sarif, scope = sys.argv[1], sys.argv[2]
    with open(sarif, encoding="utf-8") as f:
        results = [r for run in json.load(f).get("runs", []) for r in run.get("results", [])]
    found = sorted(rows(results), key=lambda r: (RISKS.index(r[0]) if r[0] in RISKS else 9, r[1]))
    counts = {risk: sum(1 for r in found if r[0] == risk) for risk in RISKS}

    lines = [f"### keyleak: {len(found)} finding{'' if len(found) == 1 else 's'}", ""]
    lines.append(f"Scanned: `{scope}`")
    lines += ["", "| risk | findings |", "| --- | ---: |"]
    lines += [f"| {risk} | {counts[risk]} |" for risk in RISKS]
    if found:
        lines += ["", "| risk | where | key ID | rule |", "| --- | --- | --- | --- |"]
        lines += [f"| {' | '.join(cell(c) for c in r)} |" for r in found[:MAX_ROWS]]
        if len(found) > MAX_ROWS:
            lines += ["", f"and {len(found) - MAX_ROWS} more: see the SARIF file or the log."]
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    print(len(found))


if __name__ == "__main__":
    main()
