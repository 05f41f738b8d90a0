# fish completion for vrp (installed as share/fish/vendor_completions.d/vrp.fish).
# The candidates come from the program itself (`vrp __complete WORD...`), as
# for bash and zsh.
function __vrp_complete
    set -l words (commandline -opc) (commandline -ct)
    set -l candidates ($words[1] __complete $words[2..-1] 2>/dev/null)
    if test "$candidates[1]" = ":file"
        __fish_complete_path (commandline -ct)
    else
        printf '%s\n' $candidates
    end
end
complete -c vrp -f -a '(__vrp_complete)'
