# bash completion for vrp. Load it with `. vrp.bash`, or install it as
# $(pkg-config --variable=completionsdir bash-completion)/vrp.
#
# The candidates come from the program itself (`vrp __complete WORD...`):
# commands, subcommands and options from its help table, remote names,
# setting keys and recording ids from the library on the line, so this
# script, the zsh one and the fish one offer the same.
_vrp() {
	local cur=${COMP_WORDS[COMP_CWORD]} line
	local -a words=("${COMP_WORDS[@]:1:COMP_CWORD}")
	COMPREPLY=()
	while IFS= read -r line; do
		if [[ $line == :file ]]; then
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return
		fi
		COMPREPLY+=("$line")
	done < <("${COMP_WORDS[0]}" __complete "${words[@]}" 2>/dev/null)
}
complete -F _vrp vrp
