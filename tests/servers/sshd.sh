#!/bin/sh
# sshd.sh - a real OpenSSH server on 127.0.0.1 for the SFTP tests.
#
# Source it for the functions, or run it: `sshd.sh start DIR`, `sshd.sh stop DIR`.
#   sshd_setup DIR        host key, user key, authorized_keys, known_hosts and
#                         sshd_config in DIR, on a free port (DIR/port)
#   sshd_start DIR [WRAP...]  starts /usr/sbin/sshd -D with that config, through
#                         WRAP (e.g. setpriv..., unshare...) when given; waits
#                         until the port answers; the PID is in DIR/sshd.pid
#   sshd_kill DIR         SIGKILLs the listener and every session process under
#                         it (a server that vanishes mid-transfer)
#   sshd_stop DIR         stops it the same way; quiet when it is not running
# The server accepts only DIR/user_ed25519 (public key auth, no passwords) and
# (SSHD_USE_PAM=yes: through PAM, for a system account sshd would call locked)
# logs to DIR/sshd.log. SSHD_SFTP names another SFTP server than sshd's
# internal one (the benchmark uses OpenSSH's sftp-server program). When we
# are root it serves root (PermitRootLogin prohibit-password); otherwise it
# can only serve the user it runs as.
# Processes are only ever signalled by the PID this file recorded.

SSHD_BIN=${SSHD_BIN:-/usr/sbin/sshd}

# A port nobody listens on, found by binding port 0 and reading what we got.
sshd_free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

sshd_write_config() {
	_d=$1
	_sftp=${SSHD_SFTP:-internal-sftp}
	cat >"$_d/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $(cat "$_d/port")
HostKey $_d/host_ed25519
PidFile $_d/sshd.pid
AuthorizedKeysFile $_d/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM ${SSHD_USE_PAM:-no}
StrictModes no
PermitRootLogin prohibit-password
MaxStartups 64:30:128
MaxSessions 32
LogLevel VERBOSE
Subsystem sftp $_sftp
EOF
}

sshd_setup() {
	_d=$1
	mkdir -p "$_d" || return 1
	[ -f "$_d/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C vrp-test-host \
		-f "$_d/host_ed25519" || return 1
	[ -f "$_d/user_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C vrp-test-user \
		-f "$_d/user_ed25519" || return 1
	cp "$_d/user_ed25519.pub" "$_d/authorized_keys"
	[ -f "$_d/port" ] || sshd_free_port >"$_d/port" || return 1
	sshd_known_hosts "$_d" >"$_d/known_hosts"
	sshd_write_config "$_d"
}

# The known_hosts line for the server's current host key.
sshd_known_hosts() {
	printf '[127.0.0.1]:%s %s\n' "$(cat "$1/port")" "$(cut -d' ' -f1-2 "$1/host_ed25519.pub")"
}

# Waits (up to ~10 s) until the server's banner answers on its port.
sshd_wait() {
	python3 - "$(cat "$1/port")" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
for _ in range(200):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            if s.recv(4).startswith(b"SSH-"):
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.05)
sys.exit(1)
PY
}

sshd_start() {
	_d=$1
	shift
	# Privilege separation wants this directory when sshd starts as root.
	[ "$(id -u)" -ne 0 ] || mkdir -p /run/sshd
	rm -f "$_d/sshd.pid"
	"$@" "$SSHD_BIN" -D -f "$_d/sshd_config" -E "$_d/sshd.log" </dev/null >/dev/null 2>&1 &
	echo $! >"$_d/launcher.pid"
	if ! sshd_wait "$_d"; then
		echo "sshd did not start; its log:" >&2
		cat "$_d/sshd.log" >&2
		return 1
	fi
	# sshd -D writes its own PID; through an exec-ing wrapper it is the launcher's.
	[ -s "$_d/sshd.pid" ] || cp "$_d/launcher.pid" "$_d/sshd.pid"
}

# PID and every descendant of it, children last (read from ps, not by name).
sshd_tree() {
	ps -e -o pid= -o ppid= | awk -v root="$1" '
		{ parent[$1] = $2; pids[NR] = $1 }
		END {
			keep[root] = 1; print root
			do {
				grew = 0
				for (i in pids) {
					p = pids[i]
					if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; print p; grew = 1 }
				}
			} while (grew)
		}'
}

sshd_signal() {
	_d=$1
	_sig=$2
	_pid=$(cat "$_d/sshd.pid" 2>/dev/null) || return 0
	[ -n "$_pid" ] || return 0
	for _p in $(sshd_tree "$_pid"); do kill "-$_sig" "$_p" 2>/dev/null || true; done
	_i=0
	while kill -0 "$_pid" 2>/dev/null && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	rm -f "$_d/sshd.pid"
}

sshd_kill() { sshd_signal "$1" KILL; }

sshd_stop() { sshd_signal "$1" TERM; }

case "${0##*/}" in
sshd.sh)
	case "${1:-}" in
	start) sshd_setup "$2" && sshd_start "$2" ;;
	stop) sshd_stop "$2" ;;
	kill) sshd_kill "$2" ;;
	*) echo "usage: sshd.sh start|stop|kill DIR" >&2; exit 64 ;;
	esac
	;;
esac
