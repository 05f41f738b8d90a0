# bash completion for vrp. Load it with `. vrp.bash`, or install it as
# $(pkg-config --variable=completionsdir bash-completion)/vrp.
#
# Commands, subcommands and options come from the program itself (`vrp --json
# help`, `vrp COMMAND --help`), so the completion knows what the help knows;
# remote names from `vrp remote ls`, recording ids from `vrp ls`, setting keys
# from `vrp config ls --global`.

# The vrp arguments that pick the library: --library DIR wherever it was typed.
_vrp_library_args() {
	local i
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		if [[ ${COMP_WORDS[i]} == --library ]]; then
			printf '%s\n' --library "${COMP_WORDS[i + 1]}"
			return
		fi
	done
}

_vrp() {
	local cur prev words=() i cmd="" sub=""
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	local vrp=${COMP_WORDS[0]}
	local -a lib
	mapfile -t lib < <(_vrp_library_args)
	# The command and subcommand typed so far (global options skipped).
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--library) ((i++)) ;;
		-*) ;;
		*) if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}; elif [[ -z $sub ]]; then sub=${COMP_WORDS[i]}; fi ;;
		esac
	done
	case $prev in
	--library | -o | --output) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
	--remote) mapfile -t COMPREPLY < <(compgen -W "$("$vrp" "${lib[@]}" -q --json remote ls 2>/dev/null |
		sed -n 's/^{"name":"\([^"]*\)".*/\1/p')" -- "$cur"); return ;;
	--by) mapfile -t COMPREPLY < <(compgen -W "recorded created" -- "$cur"); return ;;
	esac
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "--library --json --quiet --verbose --version --help" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$("$vrp" --json help 2>/dev/null |
				sed -n 's/^{"command":"\([^" ]*\)".*/\1/p')" -- "$cur")
		fi
		return
	fi
	local subs
	subs=$("$vrp" --json help 2>/dev/null | sed -n "s/^{\"command\":\"$cmd \\([^\"]*\\)\".*/\\1/p")
	if [[ -z $sub && -n $subs && $cur != -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
		return
	fi
	if [[ $cur == -* ]]; then
		# The long options the command's help names.
		mapfile -t COMPREPLY < <(compgen -W "$("$vrp" help "$cmd" ${sub:+"$sub"} 2>/dev/null |
			grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)" -- "$cur")
		return
	fi
	case $cmd${sub:+ $sub} in
	"remote "* | "sync pull" | "sync check")
		if [[ $cmd == remote && $sub != add ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$("$vrp" "${lib[@]}" -q --json remote ls 2>/dev/null |
				sed -n 's/^{"name":"\([^"]*\)".*/\1/p')" -- "$cur")
		fi ;;
	"config get" | "config set" | "config unset")
		mapfile -t COMPREPLY < <(compgen -W "$("$vrp" -q --json config ls --global 2>/dev/null |
			sed -n 's/^{"key":"\([^"]*\)".*/\1/p')" -- "$cur") ;;
	import | export) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	show | edit | rm | restore | archive | purge | verify | waveform | spectrogram | sync | "queue retry" | "queue cancel")
		mapfile -t COMPREPLY < <(compgen -W "$("$vrp" "${lib[@]}" -q --json ls --status all --limit 1000 2>/dev/null |
			sed -n 's/^{"id":\([0-9]*\).*/\1/p')" -- "$cur") ;;
	esac
}
complete -F _vrp vrp
