#!/bin/sh
# The diagnostic log, correlation ids, the audit log, metrics, and that no planted secret is logged.
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
LIB="$WORK/lib"
export VRP_CONFIG="$WORK/vrp.ini"
# Secrets are planted everywhere a user could put them; none may reach a log file.
cat >"$VRP_CONFIG" <<'INI'
[log]
level = debug
max_file_bytes = 4096
max_files = 50
[remote "nas"]
password = PLANTED-CONFIG-PASSWORD
INI
"$VRP" -q --library "$LIB" init
mkdir -p "$WORK/in/jane.doe@example.com"
sox -n -r 8000 -c 1 "$WORK/in/jane.doe@example.com/memo1.wav" synth 1 sine 440 2>/dev/null
sox -n -r 8000 -c 1 "$WORK/in/memo2.wav" synth 1 sine 550 2>/dev/null
echo "not audio" >"$WORK/in/access_token=PLANTED-PATH-TOKEN.txt"

run "$VRP" --library "$LIB" -v import -r --title "ya29.PLANTED-TITLE-TOKEN" \
	--description "write to planted.person@example.org" --tag "Bearer PLANTED-TAG" "$WORK/in"
expect_status "an import with a rejected file exits 65" 65
expect_match "-v copies the log to stderr in human form" "$err" 'info +import: import started'
expect_match "and shows paths with e-mail addresses masked" "$err" 'j\*\*\*@example\.com/memo1\.wav'

ids=$(cat "$WORK"/logs/vrp*.log | python3 -c '
import json, sys
ids = {json.loads(l)["correlation_id"] for l in sys.stdin if json.loads(l)["logger"] == "import"}
print(" ".join(sorted(i for i in ids if i)))')
check "every log line of the import carries one correlation id" test "$(echo "$ids" | wc -w)" -eq 1
check "log files are JSON Lines with every field" python3 -c '
import glob, json, sys
for path in glob.glob(sys.argv[1] + "/vrp*.log"):
    for line in open(path):
        r = json.loads(line)
        for k in ("timestamp", "level", "logger", "message", "func", "line", "correlation_id", "context"):
            assert k in r, (k, r)
        assert r["timestamp"].endswith("Z") and len(r["timestamp"]) == 24, r
' "$WORK/logs"

run "$VRP" log --correlation "$ids"
expect_status "vrp log --correlation exits 0" 0
expect_match "it tells the run from start" "$out" 'import: import started'
expect_match "through each file" "$out" 'imported as recording 2'
expect_match "to end" "$out" 'import finished: 2 imported, 0 duplicate, 1 rejected'
check "and only that run" test "$(printf '%s\n' "$out" | grep -vc "$ids")" -eq 0
run "$VRP" --json log --correlation "$ids" --level warning
check "--json --level warning gives the one rejection as a record" python3 -c '
import json, sys
lines = sys.argv[1].splitlines()
assert len(lines) == 1, lines
r = json.loads(lines[0])
assert r["level"] == "warning" and r["context"]["error"] == "ERR_UNSUPPORTED_MEDIA", r
' "$out"
run "$VRP" --json log
all=$out
run "$VRP" --json log --limit 2
expect_status "vrp log --limit exits 0" 0
if [ "$out" = "$(printf '%s\n' "$all" | tail -n 2)" ] && [ "$(printf '%s\n' "$all" | wc -l)" -gt 2 ]; then
	ok "--limit 2: the newest two records, oldest first"
else not_ok "--limit 2: the newest two records, oldest first" "$out"; fi
run "$VRP" log --limit 1
check "--limit 1 in text: one line" test "$(printf '%s\n' "$out" | wc -l)" -eq 1
run "$VRP" log --limit 0
expect_status "--limit 0 is a usage error" 64
run "$VRP" log --since 2999-01-01
check "--since in the future shows nothing" test -z "$out"
run "$VRP" log --level loud
expect_status "an unknown level is a usage error" 64

# Audit: every security-relevant operation, with the masked user and the correlation id.
"$VRP" -q --library "$LIB" rm 1
"$VRP" -q --library "$LIB" export "$WORK/out"
"$VRP" -q --library "$LIB" purge --yes 1
run "$VRP" --library "$LIB" audit
expect_status "vrp audit exits 0" 0
expect_match "it has a header" "$out" '^ID +AT +OPERATION +RECORDING +RESULT +ACTOR +CORRELATION +DETAILS'
expect_match "it lists the purge, newest first" "$(printf '%s\n' "$out" | sed -n 2p)" '^4 .* purge +1 +ok '
expect_match "and the export" "$out" ' export +- +ok '
run "$VRP" --library "$LIB" --json audit
check "--json gives the import with the run's correlation id and a masked actor" python3 -c '
import json, sys
entries = [json.loads(l) for l in sys.argv[1].splitlines()]
assert [e["operation"] for e in entries] == ["purge", "export", "delete", "import"], entries
imp = entries[-1]
assert imp["correlation_id"] == sys.argv[2], imp
assert imp["meta"] == {"imported": 2, "duplicates": 0, "rejected": 1}, imp
for e in entries:
    assert e["actor"] is None or e["actor"].endswith("***"), e
' "$out" "$ids"
run "$VRP" --library "$LIB" --json audit --operation purge
check "--operation filters" test "$(printf '%s\n' "$out" | wc -l)" -eq 1
run "$VRP" --library "$LIB" audit --operation bogus
expect_status "--operation that vrp never writes is a usage error" 64
expect_match "naming the operations there are" "$err" "unknown audit operation 'bogus' \(operations: import, .*remote.auth, remote.set, offload, fetch, repair, remote_copy_bad\)"
run "$VRP" --library "$LIB" --json audit --operation upload
expect_status "--operation of a known one with no entries lists nothing" 0
check "(nothing)" test -z "$out"
sqlite3 "$LIB/library.db" "INSERT INTO audit_log (at, operation, success) VALUES ('2026-01-01T00:00:00.000Z', 'newer.op', 1)"
run "$VRP" --library "$LIB" --json audit --operation newer.op
expect_status "--operation that a newer vrp wrote to the log is found" 0
check "(one entry)" test "$(printf '%s\n' "$out" | wc -l)" -eq 1
run "$VRP" audit --help
expect_match "audit --help lists the operations" "$out" '^Operations: import, delete'
run "$VRP" --library "$LIB" --json audit --recording 1 --limit 1
expect_match "--recording and --limit: the newest entry about recording 1" "$out" '^\{"id":4,.*"operation":"purge"'
run "$VRP" --library "$LIB" --json audit --since 2999-01-01
check "--since in the future lists nothing" test -z "$out"
run "$VRP" --library "$LIB" audit --limit 0
expect_status "--limit 0 is a usage error" 64

# Metrics in the Prometheus text exposition format, and as JSON.
run "$VRP" --library "$LIB" metrics
expect_status "vrp metrics exits 0" 0
check "metrics parse as Prometheus text: a TYPE line before each sample" python3 -c '
import re, sys
lines = sys.argv[1].splitlines()
assert lines and len(lines) % 2 == 0, lines
for t, s in zip(lines[0::2], lines[1::2]):
    m = re.fullmatch(r"# TYPE (vrp_[a-zA-Z0-9_]+) counter", t)
    assert m, t
    assert re.fullmatch(re.escape(m.group(1)) + r" [0-9]+", s), s
assert "vrp_import_imported 2" in lines and "vrp_import_rejected 1" in lines, lines
' "$out"
run "$VRP" --library "$LIB" --json metrics
check "--json gives one object a metric" python3 -c '
import json, sys
m = {o["name"]: o for o in map(json.loads, sys.argv[1].splitlines())}
assert m["import.imported"]["value"] == 2 and m["import.imported"]["prometheus_name"] == "vrp_import_imported", m
assert m["import.imported"]["updated_at"].endswith("Z"), m
' "$out"

# Titles are never logged: remote paths and pull's temporary paths carry
# them, so a synced and pulled recording with a distinctive title must leave
# no trace of it in the logs or the bundle (its uuid is what they name).
sox -n -r 8000 -c 1 "$WORK/titled.wav" synth 1 sine 660 2>/dev/null
"$VRP" -q --library "$LIB" import --title "Zanzibar Quokka Meeting" "$WORK/titled.wav"
mkdir -p "$WORK/nas2"
"$VRP" -q --library "$LIB" remote add nas2 localdir path="$WORK/nas2"
run "$VRP" --library "$LIB" -v sync --remote nas2
expect_status "sync of the titled recording exits 0" 0
"$VRP" -q --library "$WORK/lib2" init
"$VRP" -q --library "$WORK/lib2" remote add nas3 localdir path="$WORK/nas2"
run "$VRP" --library "$WORK/lib2" -v sync pull --remote nas3
expect_status "pulling it into another library exits 0" 0
check "the remote name does carry the title" sh -c "find '$WORK/nas2' | grep -q Quokka"
check "the logs say which file by its uuid instead" sh -c \
	"grep -rq 'VoiceRecorderPro/[0-9]*/[0-9]*/\[title\] [0-9a-f]\{8\}\.wav' '$WORK/logs'"
check "no log line names the title (-v on stderr neither)" sh -c \
	"! grep -rq Quokka '$WORK/logs' && ! printf '%s' \"\$1\" | grep -q Quokka" _ "$err"

# make demo logs beside its own temporary library, never into the user's state dir.
mkdir -p "$WORK/demo-home" "$WORK/demo-tmp"
run env -u VRP_LOG_DIR -u VRP_CONFIG -u XDG_STATE_HOME HOME="$WORK/demo-home" \
	TMPDIR="$WORK/demo-tmp" VRP="$VRP" "$(dirname "$0")/../../scripts/demo.sh"
expect_status "the demo runs" 0
check "the demo wrote nothing under HOME" test -z "$(find "$WORK/demo-home" -mindepth 1)"
check "it logged into its own library's logs/" sh -c "ls '$WORK'/demo-tmp/vrp-demo-*/logs/vrp.log"

# The bug-report bundle, and rotation under a small size limit.
run "$VRP" log bundle "$WORK/bundle.jsonl.gz"
expect_status "vrp log bundle exits 0" 0
expect_match "it says nothing was sent" "$out" 'written to .*nothing was sent anywhere'
check "the bundle is gzip'd JSON Lines starting with its header" sh -c \
	"zcat '$WORK/bundle.jsonl.gz' | head -1 | grep -q '\"vrp_log_bundle\"'"
check "and holds the import run" sh -c "zcat '$WORK/bundle.jsonl.gz' | grep -q '$ids'"
for i in 1 2 3 4 5 6; do "$VRP" -q --library "$LIB" verify >/dev/null 2>&1; done
check "the log was rotated at the configured size" test "$(ls "$WORK/logs" | grep -c '^vrp-.*\.log$')" -ge 1
check "no log file grew past it" test -z "$(find "$WORK/logs" -name '*.log' -size +4096c)"

# The secret grep: nothing planted above is in any log file, the bundle, or the audit log.
zcat "$WORK/bundle.jsonl.gz" >"$WORK/bundle.jsonl"
"$VRP" --library "$LIB" --json audit >"$WORK/audit.jsonl"
for secret in PLANTED jane.doe planted.person ya29. Quokka; do
	check "no log, bundle or audit entry holds '$secret'" sh -c \
		"! grep -rqF -- '$secret' '$WORK/logs' '$WORK/bundle.jsonl' '$WORK/audit.jsonl'"
done
finish
