<?php
// Prepended to every PHP program (auto_prepend_file). When the program itself does not compile
// (a parse error, or another error of the compiler such as a function declared twice: what
// `php -l` reports), say so at shutdown in `php -l`'s words. The one run is then judged as a
// compile error, with no second PHP process to lint the file first. Errors of eval'd code and
// of included files name another file, and errors at run time have another type.
register_shutdown_function(static function (): void {
    $error = error_get_last();
    if ($error !== null && ($error['type'] & (E_PARSE | E_COMPILE_ERROR)) !== 0
        && $error['file'] === realpath($_SERVER['SCRIPT_FILENAME'])) {
        fwrite(STDERR, 'Errors parsing ' . basename($error['file']) . "\n");
    }
});
