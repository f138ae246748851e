#!/bin/bash
# conf/prometheus and conf/grafana: `promtool check rules` and `promtool test
# rules` on the alert rules, then check-queries.py (every dashboard query and
# alert uses only metrics the governor exports, in valid PromQL).
set -euo pipefail
SOURCE_DIR=${SOURCE_DIR:?source tree}
if ! command -v promtool >/dev/null || ! command -v python3 >/dev/null; then
        msg="promtool or python3 missing (apt-get install prometheus python3)"
        [ -n "${CI:-}" ] && { echo "FAIL: $msg" >&2; exit 1; }
        echo "SKIP: $msg" >&2
        exit 77
fi
rules=$SOURCE_DIR/conf/prometheus/sutazai-governor.rules.yml
promtool check rules "$rules"
(cd "$SOURCE_DIR/conf/prometheus" && promtool test rules sutazai-governor.rules.test.yml)
python3 "$SOURCE_DIR/tests/monitoring/check-queries.py" \
        "$SOURCE_DIR/tests/fixtures/govctl/metrics.prom" \
        "$SOURCE_DIR/conf/grafana/sutazai-governor.json" "$rules"
