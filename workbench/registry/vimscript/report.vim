" Sourced before the program (--cmd): when Vim leaves, also on `cq` and on error exits, write the
" failed assertions (v:errors) and the last error message to a report file that run.sh prints.
let g:wb_report = getcwd() . '/.vim-report'
au VimLeavePre * call writefile(map(copy(v:errors), {_, e -> 'assertion failed: ' . e}) + (v:errmsg == '' ? [] : ['vim error: ' . v:errmsg]), g:wb_report)
