// A warm TypeScript compiler: one node process compiles many programs, one request at a time,
// and keeps the parsed standard library (lib.*.d.ts, about 1 MB with the DOM) between them, so a
// sample costs its own file instead of the whole library. tsc never runs the program's code, and
// this process runs in the sandbox like any step (workbench/execution/warm_compilers/pool.py). Same protocol as
// CompileServer.java: "ready" once loaded; a request is tsc's arguments separated by NUL on one
// line; the response is "<exit code> <n>\n" and n bytes of what tsc would print. Relative paths are relative to the
// working folder, which the caller fills before each request.
"use strict";

const path = require("path");
const readline = require("readline");

const ts = require(process.argv[2]);
const libDir = path.dirname(require.resolve(process.argv[2]));
const libFiles = new Map(); // the library never changes: each file is parsed once per target

function compile(args) {
  const parsed = ts.parseCommandLine(args);
  const host = ts.createCompilerHost(parsed.options);
  const parse = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, target, onError, shouldCreate) => {
    if (path.dirname(fileName) !== libDir) return parse(fileName, target, onError, shouldCreate);
    const version = typeof target === "object" ? target.languageVersion : target;
    const key = `${fileName}\0${version}`;
    if (!libFiles.has(key)) libFiles.set(key, parse(fileName, target, onError, shouldCreate));
    return libFiles.get(key);
  };
  const formatHost = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => process.cwd(),
    getNewLine: () => "\n",
  };
  if (parsed.errors.length) return [1, ts.formatDiagnostics(parsed.errors, formatHost)];
  const program = ts.createProgram(parsed.fileNames, parsed.options, host);
  const emitted = program.emit();
  const diagnostics = ts.sortAndDeduplicateDiagnostics(
    ts.getPreEmitDiagnostics(program).concat(emitted.diagnostics),
  );
  const errors = diagnostics.some((d) => d.category === ts.DiagnosticCategory.Error);
  // tsc's exit codes: 0 clean, 1 nothing emitted because of errors, 2 errors but files emitted.
  const code = !errors ? 0 : emitted.emitSkipped ? 1 : 2;
  return [code, ts.formatDiagnostics(diagnostics, formatHost)];
}

const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on("line", (line) => {
  let code;
  let text;
  let stale = "";
  try {
    [code, text] = compile(line === "" ? [] : line.split("\0"));
  } catch (err) {
    // tsc crashed: report it as the command line would, and have the caller retire this process.
    [code, text, stale] = [1, `${err && err.stack ? err.stack : err}\n`, " stale"];
  }
  const body = Buffer.from(text, "utf8");
  process.stdout.write(`${code} ${body.length}${stale}\n`);
  process.stdout.write(body);
});
process.stdout.write("ready\n");
