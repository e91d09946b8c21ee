#!/usr/bin/env bash
# The README's run command, end to end: scripts/run brings the whole suite up with demo
# data, curl creates and reads a resident through the gateway, scripts/stop stops
# exactly what was started.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
state=$(mktemp -d "${TMPDIR:-/tmp}/fx-run-test.XXXXXX")
cleanup() { "$root/scripts/stop" --state-dir "$state" >/dev/null 2>&1 || true; rm -rf "$state"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

FX_BUILD_DIR="${FX_BUILD_DIR:?}" "$root/scripts/run" --state-dir "$state" --no-build >"$state/run.out" 2>&1 ||
  { cat "$state/run.out" >&2; fail "scripts/run failed"; }
grep -q "gateway     http://127.0.0.1:" "$state/run.out" || fail "run did not print the gateway address"
grep -q "demo data loaded" "$state/logs/demo-data.log" || fail "demo data not loaded"
# shellcheck disable=SC1091
source "$state/suite.env"

id=$(python3 -c '
s = "41018119800101555"; w = [7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2]
print(s + "10X98765432"[sum(int(c) * k for c, k in zip(s, w)) % 11])')
created=$(curl -sS -f -X POST "$GATEWAY_URL/v1/residents" \
  -H "Authorization: Bearer $FX_ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d "{\"name\":\"测试居民\",\"idNumber\":\"$id\",\"areaCode\":\"gongyi.dufulu.yimin.b1\"}") ||
  fail "create through the gateway failed"
resident_id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["residentId"])' "$created")
got=$(curl -sS -f "$GATEWAY_URL/v1/residents/$resident_id" -H "Authorization: Bearer $FX_ADMIN_TOKEN") ||
  fail "read through the gateway failed"
python3 - "$got" "$id" <<'PY' || fail "unexpected resident: $got"
import json, sys
r = json.loads(sys.argv[1]); full = sys.argv[2]
assert r["name"] == "测试居民", r
assert r["idNumber"] == full[:3] + "*" * 11 + full[-4:], r
assert full not in sys.argv[1]
PY

# The other three services, through the same gateway: create, then read back.
roundtrip() {  # PATH ID_FIELD BODY EXPECTED_SUBSTRING
  local out id
  out=$(curl -sS -f -X POST "$GATEWAY_URL$1" -H "Authorization: Bearer $FX_ADMIN_TOKEN" \
    -H 'Content-Type: application/json' -d "$3") || fail "POST $1 failed"
  id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$out" "$2")
  out=$(curl -sS -f "$GATEWAY_URL$1/$id" -H "Authorization: Bearer $FX_ADMIN_TOKEN") ||
    fail "GET $1/$id failed"
  [[ $out == *"$4"* ]] || fail "GET $1/$id: $out"
}
roundtrip /v1/checkpoints checkpointId \
  '{"name":"学前街综合卡点","kind":"CHECKPOINT_KIND_CONSOLIDATED","areaCodes":["gongyi.dufulu.xueqian.b1","gongyi.dufulu.xueqian.b2"]}' \
  '"kind":"CHECKPOINT_KIND_CONSOLIDATED"'
roundtrip /v1/persons-of-interest personId \
  "{\"residentId\":\"$resident_id\",\"category\":\"CATEGORY_CLOSE_CONTACT\",\"source\":\"SOURCE_SELF_REPORT\",\"contactDate\":\"$(TZ=Asia/Shanghai date +%F)\"}" \
  '"category":"CATEGORY_CLOSE_CONTACT"'
roundtrip /v1/contents contentId \
  '{"kind":"CONTENT_KIND_NOTICE","title":"通告","body":"逢车必查、逢人必测","areaCodes":["gongyi.dufulu"]}' \
  '"state":"CONTENT_STATE_DRAFT"'

pids=$(cat "$state"/pids/*.pid)
"$root/scripts/stop" --state-dir "$state" >/dev/null 2>&1 || fail "scripts/stop failed"
for pid in $pids; do
  if kill -0 "$pid" 2>/dev/null; then fail "pid $pid still running after scripts/stop"; fi
done
echo "run_script_test: ok"
