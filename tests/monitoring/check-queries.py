#!/usr/bin/env python3
"""Every query of the Grafana dashboard and every alert rule uses only metrics
(and labels) that sutazai-governor exports, and is valid PromQL.

  check-queries.py METRICS_PROM DASHBOARD_JSON RULES_YML

METRICS_PROM is tests/fixtures/govctl/metrics.prom, the golden output of
src/metrics.c (tests/unit/test-metrics.c keeps the two equal), or the output
of `sutazai-govctl metrics` on a live host. Alert rules may also use
node_exporter's node_textfile_mtime_seconds (the staleness of the governor's
file). Syntax: every expression goes through `promtool check rules`.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

FUNCTIONS = {
    "abs", "absent", "absent_over_time", "avg", "avg_over_time", "bottomk", "ceil",
    "changes", "clamp", "clamp_max", "clamp_min", "count", "count_over_time", "delta",
    "deriv", "floor", "group", "histogram_quantile", "idelta", "increase", "irate",
    "label_replace", "last_over_time", "max", "max_over_time", "min", "min_over_time",
    "quantile", "quantile_over_time", "rate", "resets", "round", "scalar", "sort",
    "sort_desc", "stddev", "sum", "sum_over_time", "time", "timestamp", "topk", "vector",
}
KEYWORDS = {"and", "or", "unless", "bool", "offset", "Inf", "NaN", "inf", "nan"}
PROMETHEUS_LABELS = {"instance", "job"}  # added by the scrape
GRAFANA_VARS = {"$__rate_interval": "5m", "$__range": "1h", "$__interval": "1m",
                "$instance": ".*"}
IDENT = r"[a-zA-Z_:][a-zA-Z0-9_:]*"


def exported(path):
    """{metric: set(label names)} from a Prometheus text exposition."""
    metrics = {}
    for line in open(path, encoding="utf-8"):
        m = re.match(r"# TYPE (\S+) ", line)
        if m:
            metrics.setdefault(m.group(1), set())
            continue
        m = re.match(r"(" + IDENT + r")\{(.*)\} ", line)
        if m:
            labels = set(re.findall(r'(' + IDENT + r')="(?:[^"\\]|\\.)*"', m.group(2)))
            metrics.setdefault(m.group(1), set()).update(labels)
    return metrics


def problems(expr, allowed):
    """The reasons expr reaches beyond `allowed` ({metric: labels}); [] if none."""
    errors = []
    for var, value in GRAFANA_VARS.items():
        expr = expr.replace(var, value)
    if "$" in expr:
        errors.append("unknown dashboard variable in %r" % expr)
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # label values
    used = set()
    # metric{matchers}: the metric must be exported with those labels
    for m in re.finditer(r"(" + IDENT + r")?\s*\{([^}]*)\}", expr):
        names = set(re.findall(r"(" + IDENT + r")\s*(?:=~|!~|!=|=)", m.group(2)))
        if m.group(1) in allowed:
            missing = names - allowed[m.group(1)] - PROMETHEUS_LABELS
            if missing:
                errors.append("%s has no label %s" % (m.group(1), ", ".join(sorted(missing))))
        elif "__name__" in names:
            errors.append("selects metrics by __name__")
    bare = re.sub(r"\{[^}]*\}", " ", expr)
    bare = re.sub(r"\[[^\]]*\]", " ", bare)
    grouping = []
    for m in re.finditer(r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", bare):
        grouping += re.findall(IDENT, m.group(2))
    bare = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", bare)
    for m in re.finditer(r"(?<![\w.])(" + IDENT + r")(\s*\()?", bare):
        name, call = m.group(1), m.group(2)
        if call:
            if name not in FUNCTIONS:
                errors.append("unknown function %s()" % name)
        elif name in KEYWORDS:
            continue
        elif name in allowed:
            used.add(name)
        else:
            errors.append("metric %s is not exported" % name)
    labels = set().union(*(allowed[u] for u in used)) if used else set()
    for label in grouping:
        if label not in labels | PROMETHEUS_LABELS:
            errors.append("grouping label %s is on none of %s" % (label, ", ".join(sorted(used))))
    return errors


def dashboard_queries(dash):
    out = []

    def walk(panels):
        for p in panels:
            for t in p.get("targets", []):
                out.append(("panel %r" % p.get("title"), t["expr"]))
            walk(p.get("panels", []))
    walk(dash["panels"])
    return out


def rule_exprs(path):
    # The rules file is plain: one "expr:" per rule, one line each.
    return [("alert " + a, e) for a, e in re.findall(
        r"- alert: (\S+)\n\s+expr: (.*)\n", open(path, encoding="utf-8").read())]


def promtool_check(exprs):
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        f.write("groups:\n  - name: check\n    rules:\n")
        for i, (_, e) in enumerate(exprs):
            for var, value in GRAFANA_VARS.items():
                e = e.replace(var, value)
            f.write("      - record: check:expr%d\n        expr: %s\n" % (i, json.dumps(e)))
    try:
        r = subprocess.run(["promtool", "check", "rules", f.name], capture_output=True, text=True)
        return [] if r.returncode == 0 else [r.stdout + r.stderr]
    finally:
        os.unlink(f.name)


def main():
    metrics_prom, dashboard, rules = sys.argv[1:4]
    allowed = exported(metrics_prom)
    failures = []
    if len(allowed) < 20 or "sutazai_governor_memory_tier" not in allowed:
        failures.append("%s does not look like the governor's metrics" % metrics_prom)

    # The checker itself must reject what it exists to reject.
    for bad in ["node_memory_MemTotal_bytes", "sutazai_governor_memory_tier_typo",
                'sutazai_governor_disk_tier{mount="/"}', "sum by (pod) (sutazai_governor_actions_total)",
                "frobnicate(sutazai_governor_ticks_total)", "sutazai_governor_paused{instance=~\"$host\"}"]:
        if not problems(bad, allowed):
            failures.append("checker accepted %r" % bad)

    dash = json.load(open(dashboard, encoding="utf-8"))
    queries = dashboard_queries(dash)
    if len(queries) < 10:
        failures.append("dashboard has only %d queries" % len(queries))
    for where, expr in queries:
        failures += ["%s: %s" % (where, p) for p in problems(expr, allowed)]
    for v in dash.get("templating", {}).get("list", []):
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        m = re.match(r"label_values\((" + IDENT + r"),\s*(" + IDENT + r")\)", q or "")
        if v.get("type") == "query":
            if not m:
                failures.append("variable %s: unrecognised query %r" % (v["name"], q))
            elif m.group(1) not in allowed:
                failures.append("variable %s: metric %s is not exported" % (v["name"], m.group(1)))
            elif m.group(2) not in allowed[m.group(1)] | PROMETHEUS_LABELS:
                failures.append("variable %s: %s has no label %s" % (v["name"], m.group(1), m.group(2)))

    rules_allowed = dict(allowed, node_textfile_mtime_seconds={"file"})
    alerts = rule_exprs(rules)
    if len(alerts) < 6:
        failures.append("only %d alert rules found in %s" % (len(alerts), rules))
    for where, expr in alerts:
        failures += ["%s: %s" % (where, p) for p in problems(expr, rules_allowed)]

    failures += promtool_check(queries + alerts)
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    print("%d dashboard queries, %d alert expressions, %d exported metrics: %s"
          % (len(queries), len(alerts), len(allowed), "FAIL" if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
