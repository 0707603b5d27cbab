# Vim in silent Ex mode, no vimrc/viminfo/swap file, nocompatible, stdin closed; report.vim
# writes the assertion failures, which are copied to stderr here (the sandbox uid may not reopen
# /dev/stderr). The exit code is Vim's.
vim -Es -N -u NONE -i NONE -n --cmd 'source /tmp/wb-recipe/report.vim' -S "$1" </dev/null
rc=$?
cat .vim-report >&2 2>/dev/null
exit $rc
