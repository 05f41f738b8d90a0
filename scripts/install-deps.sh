#!/bin/sh
# Installs the Debian packages vrp needs to build and test, when missing.
# Idempotent: with everything present it changes nothing and needs no network.
# Runs apt-get update at most once, and only when something must be installed.
set -eu

PACKAGES="
build-essential
pkg-config
meson
ninja-build
python3
libsqlite3-dev
sqlite3
libjansson-dev
libssl-dev
zlib1g-dev
libcmocka-dev
util-linux
libavformat-dev
libavcodec-dev
libavutil-dev
libswresample-dev
libpng-dev
libsecret-1-dev
libssh2-1-dev
libcurl4-openssl-dev
openssh-server
openssh-client
gnome-keyring
libsecret-tools
dbus
dbus-daemon
ffmpeg
sox
libmicrohttpd-dev
curl
chromium
nodejs
libpocketsphinx-dev
pocketsphinx-en-us
pocketsphinx-testdata
flite
festival
festvox-kallpc16k
clang-14
libclang-rt-14-dev
zsh
fish
"
# Only for `make lint` and `make format`; install with INSTALL_LINT=1.
LINT_PACKAGES="clang-tidy cppcheck clang-format"
# Only for `make bench` (the peers it measures vrp against, GNU time for peak
# RSS); install with INSTALL_BENCH=1.
BENCH_PACKAGES="git git-annex time openssl coreutils sqlite3 strace rclone wrk nginx-light"

want="$PACKAGES"
if [ "${INSTALL_LINT:-0}" = 1 ]; then want="$want $LINT_PACKAGES"; fi
if [ "${INSTALL_BENCH:-0}" = 1 ]; then want="$want $BENCH_PACKAGES"; fi

missing=""
# npm comes with NodeSource's nodejs; Debian's own nodejs needs the npm package.
command -v npm >/dev/null 2>&1 || want="$want npm"
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

# The browser tests drive Debian's chromium with playwright-core, pinned by
# package-lock.json into the repository's node_modules (no browser download).
npm_deps() {
	root=$(dirname "$0")/..
	[ -d "$root/node_modules/playwright-core" ] && return 0
	command -v npm >/dev/null 2>&1 || return 0
	(cd "$root" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null) ||
		echo "install-deps: npm ci failed; the browser tests will be skipped" >&2
}

if [ -z "$missing" ]; then
	npm_deps
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "install-deps: need root or sudo to install:$missing" >&2
	exit 1
fi

echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
npm_deps
