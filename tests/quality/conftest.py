"""Collects the grader-quality results and prints the table at the end of the test run."""

from collections import defaultdict

RESULTS = defaultdict(lambda: {"caught": 0, "mutants": 0, "diagnosed": 0, "accepted": 0, "variants": 0,
                               "visible_ok": 0, "visible_variants": 0})


def pytest_terminal_summary(terminalreporter):
    if not RESULTS:
        return
    tr = terminalreporter
    tr.section("grader quality: mistakes caught, correct implementations accepted")
    tr.write_line(f"{'assignment':26} {'mistakes caught':>16} {'diagnosed':>10} {'correct accepted':>17} "
                  f"{'visible checks pass':>20}")
    tot = defaultdict(int)
    for name in sorted(RESULTS):
        r = RESULTS[name]
        for k, v in r.items():
            tot[k] += v
        tr.write_line(f"{name:26} {r['caught']:>7}/{r['mutants']:<3} {_pct(r['caught'], r['mutants']):>5} "
                      f"{_pct(r['diagnosed'], r['mutants']):>10} {r['accepted']:>8}/{r['variants']:<3} "
                      f"{_pct(r['accepted'], r['variants']):>5} {r['visible_ok']:>11}/{r['visible_variants']:<3} "
                      f"{_pct(r['visible_ok'], r['visible_variants']):>5}")
    tr.write_line(f"{'total':26} {tot['caught']:>7}/{tot['mutants']:<3} {_pct(tot['caught'], tot['mutants']):>5} "
                  f"{_pct(tot['diagnosed'], tot['mutants']):>10} {tot['accepted']:>8}/{tot['variants']:<3} "
                  f"{_pct(tot['accepted'], tot['variants']):>5} {tot['visible_ok']:>11}/{tot['visible_variants']:<3} "
                  f"{_pct(tot['visible_ok'], tot['visible_variants']):>5}")


def _pct(a, b):
    return f"{100 * a / b:.0f}%" if b else "-"
