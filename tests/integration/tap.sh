# tap.sh - a small TAP producer for the shell integration tests.
# Source it; call `check NAME COMMAND...` or compute and call ok/not_ok; end with `finish`.
# $VRP is the vrp binary under test; each script gets a fresh $WORK directory.

set -u
n=0
failed=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vrp-it-XXXXXX")
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
# vrp logs to files on every command: keep each test's logs in its own directory.
VRP_LOG_DIR="$WORK/logs"
export VRP_LOG_DIR
# Never touch the real user config either.
VRP_CONFIG="$WORK/config.ini"
export VRP_CONFIG

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	shift
	for line in "$@"; do printf '#   %s\n' "$line"; done
}

# run CMD...: runs it, keeping stdout in $out, stderr in $err, exit status in $status.
run() {
	out=$("$@" 2>"$WORK/.stderr") && status=0 || status=$?
	err=$(cat "$WORK/.stderr")
}

# expect_status NAME CODE: the last `run` exited with CODE.
expect_status() {
	if [ "$status" -eq "$2" ]; then ok "$1"; else
		not_ok "$1" "expected exit $2, got $status" "stdout: $out" "stderr: $err"
	fi
}

# expect_match NAME TEXT PATTERN: TEXT matches the extended regex PATTERN.
expect_match() {
	if printf '%s' "$2" | grep -Eq -- "$3"; then ok "$1"; else
		not_ok "$1" "no match for /$3/ in:" "$2"
	fi
}

# check NAME CMD...: CMD succeeds.
check() {
	_tap_name=$1; shift
	if "$@" >"$WORK/.check" 2>&1; then ok "$_tap_name"; else not_ok "$_tap_name" "$(cat "$WORK/.check")"; fi
}

# as_other_user CMD...: runs CMD as an unprivileged user when we are root, so
# permission checks really apply; otherwise as ourselves.
as_other_user() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}

# on_tty INPUT CMD...: runs CMD with a terminal as stdin and stdout, INPUT
# typed into it (a line; "" for none); prints what CMD wrote to the terminal
# (line ends as \n) and passes its stderr and exit status through.
on_tty() {
	python3 -c '
import os, pty, subprocess, sys
master, slave = pty.openpty()
p = subprocess.Popen(sys.argv[2:], stdin=slave, stdout=slave, stderr=subprocess.PIPE)
os.close(slave)
if sys.argv[1]:
    os.write(master, sys.argv[1].encode() + b"\n")
out = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
err = p.stderr.read()
p.wait(timeout=30)
sys.stdout.buffer.write(out.replace(b"\r\n", b"\n"))
sys.stderr.buffer.write(err)
sys.exit(p.returncode)
' "$@"
}

finish() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}
