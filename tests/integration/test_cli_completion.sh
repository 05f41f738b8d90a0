#!/bin/sh
# The manual page renders, and the bash, zsh and fish completions load in
# their shells and complete commands, subcommands, options, remote names,
# setting keys and recording ids from the program itself (`vrp __complete`).
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
: "${FIXTURES:?set FIXTURES to the generated media fixtures}"
: "${BUILD_ROOT:?set BUILD_ROOT to the build directory}"
COMPLETION="$(cd "$(dirname "$0")/../../scripts/completion" && pwd)"
SCRIPT="$COMPLETION/vrp.bash"
MAN="$BUILD_ROOT/src/cli/vrp.1"

check "vrp.1 was made at build time" test -s "$MAN"
run "$VRP" help man
check "vrp help man writes the same page" sh -c 'test "$("$1" help man)" = "$(cat "$2")"' _ "$VRP" "$MAN"
if command -v man >/dev/null 2>&1; then
	out=$(MANWIDTH=80 man -l "$MAN" 2>"$WORK/man.err")
	expect_match "man ./vrp.1 renders its name" "$out" '^NAME'
	expect_match "and every command's usage" "$out" 'usage: vrp remote set NAME key=value'
	check "without roff warnings" sh -c 'groff -man -ww -z "$1" 2>&1 | (! grep -q .)' _ "$MAN"
	for c in $("$VRP" --json help | sed -n 's/^{"command":"\([^" ]*\)".*/\1/p'); do
		printf '%s' "$out" | grep -q "^   vrp $c\$" || missing="$missing $c"
	done
	check "with a section for every command" test -z "${missing:-}"
else
	ok "# SKIP man is not installed"
fi

LIB="$WORK/lib"
"$VRP" -q --library "$LIB" init
mkdir "$WORK/nas"
"$VRP" -q --library "$LIB" remote add nas localdir path="$WORK/nas"
"$VRP" -q --library "$LIB" import "$FIXTURES/pcm16.wav" "$FIXTURES/flac16k.flac"
# complete WORDS...: what bash offers for the last word.
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _vrp; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
		_ "$SCRIPT" "$@"
}
check "the script loads in bash" bash -c '. "$1" && complete -p vrp | grep -q _vrp' _ "$SCRIPT"
out=$(complete_words "$VRP" re)
expect_match "commands" "$out" '^remote restore $'
out=$(complete_words "$VRP" remote s)
expect_match "subcommands" "$out" '^secret set $'
out=$(complete_words "$VRP" --library "$LIB" remote test "")
expect_match "remote names" "$out" '^nas $'
out=$(complete_words "$VRP" --library "$LIB" sync --remote "")
expect_match "remote names after --remote" "$out" '^nas $'
out=$(complete_words "$VRP" ls --so)
expect_match "a command's options" "$out" '^--sort $'
out=$(complete_words "$VRP" config set derive.o)
expect_match "setting keys" "$out" '^derive.opus_bitrate $'
out=$(complete_words "$VRP" --library "$LIB" show "")
expect_match "recording ids" "$out" '^1 2 $'
out=$(complete_words "$VRP" import "$WORK/n")
expect_match "file names where a file goes" "$out" "^$WORK/nas \$"

# zsh and fish, outside an interactive shell: zsh's compadd and _files are
# stood in for by functions that print what they are given.
if command -v zsh >/dev/null 2>&1; then
	zsh_words() {
		zsh -f -c 'compadd() { while [[ $1 != -- ]]; do shift; done; shift; print -l -- "$@" | sort | tr "\n" " "; }
_files() { print FILES; }
words=("$@"); CURRENT=$#; . "$0"' "$COMPLETION/_vrp" "$@"
	}
	expect_match "zsh: commands" "$(zsh_words "$VRP" re)" '^remote restore $'
	expect_match "zsh: remote names" "$(zsh_words "$VRP" --library "$LIB" remote test "")" '^nas $'
	expect_match "zsh: recording ids" "$(zsh_words "$VRP" --library "$LIB" show "")" '^1 2 $'
	expect_match "zsh: files for import" "$(zsh_words "$VRP" import "")" '^FILES$'
else
	ok "# SKIP zsh is not installed"
fi
if command -v fish >/dev/null 2>&1; then
	fish_words() {
		HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.local/share" \
			fish --no-config -c "source '$COMPLETION/vrp.fish'; complete -C \"\$argv\"" "$@" |
			cut -f1 | sort | tr "\n" " "
	}
	expect_match "fish: commands" "$(fish_words "$VRP re")" '^remote restore $'
	expect_match "fish: options" "$(fish_words "$VRP ls --so")" '^--sort $'
	expect_match "fish: recording ids" "$(fish_words "$VRP --library $LIB show ")" '^1 2 $'
else
	ok "# SKIP fish is not installed"
fi
finish
