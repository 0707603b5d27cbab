// A warm compiler: one JVM compiles many programs, one request at a time, so the JIT-compiled
// compiler is reused instead of rebuilt for every sample. It only compiles (none of these
// compilers runs the program's code) and it runs in the sandbox like any step
// (workbench/execution/warm_compilers/pool.py). Protocol, on stdin/stdout:
//   at start: "ready\n" once the compiler is loaded
//   request:  the compiler's arguments separated by NUL, one request per line
//   response: "<exit code> <n>\n" then n bytes of everything the compiler printed; the header
//             ends in " stale" when the compiler crashed (the caller then retires the server)
// Relative paths are relative to the server's working folder, which the caller fills before
// each request and empties after, so a request sees the same files the command line would.

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

public final class CompileServer {
    interface Compiler {
        int compile(String[] args, PrintStream out) throws Exception;
    }

    /** Everything printed anywhere in the JVM, kept until the response takes it. */
    static final class Sink extends OutputStream {
        private ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            buffer.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            buffer.write(b, off, len);
        }

        synchronized byte[] take() {
            byte[] out = buffer.toByteArray();
            buffer = new ByteArrayOutputStream();
            return out;
        }
    }

    static Compiler compilerFor(String name) throws Exception {
        switch (name) {
            case "kotlin": {
                // What `kotlinc ARGS` runs, without the new JVM: exit code = ExitCode.getCode().
                Class<?> cls = Class.forName("org.jetbrains.kotlin.cli.jvm.K2JVMCompiler");
                Method exec = cls.getMethod("exec", PrintStream.class, String[].class);
                return (args, out) -> {
                    Object compiler = cls.getConstructor().newInstance();
                    Object code = exec.invoke(compiler, out, (Object) args);
                    return (Integer) code.getClass().getMethod("getCode").invoke(code);
                };
            }
            case "scala": {
                // What `scalac ARGS` runs: Main.process, then exit 1 when the reporter saw errors.
                Class<?> main = Class.forName("scala.tools.nsc.Main$");
                Object driver = main.getField("MODULE$").get(null);
                Method process = main.getMethod("process", String[].class);
                Method reporter = main.getMethod("reporter");
                return (args, out) -> {
                    process.invoke(driver, (Object) args);
                    Object rep = reporter.invoke(driver);
                    boolean errors = (Boolean) rep.getClass().getMethod("hasErrors").invoke(rep);
                    return errors ? 1 : 0;
                };
            }
            case "javac": {
                javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
                return (args, out) -> javac.run(null, out, out, args);
            }
            default:
                throw new IllegalArgumentException("unknown compiler: " + name);
        }
    }

    public static void main(String[] argv) throws Exception {
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), false);
        Sink sink = new Sink();
        PrintStream captured = new PrintStream(sink, true, StandardCharsets.UTF_8);
        // Before any compiler class loads: some keep System.err from their first use on.
        System.setOut(captured);
        System.setErr(captured);
        Compiler compiler = compilerFor(argv[0]);
        protocol.write("ready\n".getBytes(StandardCharsets.UTF_8));
        protocol.flush();
        BufferedReader requests =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = requests.readLine()) != null) {
            String[] args = line.isEmpty() ? new String[0] : line.split("\0", -1);
            int code;
            boolean stale = false;
            try {
                code = compiler.compile(args, captured);
            } catch (InvocationTargetException | Error e) {
                // The compiler crashed or ran out of memory: report it as the command line
                // would, and tell the caller this JVM may be damaged.
                Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
                cause.printStackTrace(captured);
                code = 1;
                stale = true;
            }
            captured.flush();
            byte[] out = sink.take();
            String header = code + " " + out.length + (stale ? " stale" : "") + "\n";
            protocol.write(header.getBytes(StandardCharsets.UTF_8));
            protocol.write(out);
            protocol.flush();
        }
    }
}
