// Runs a compiled Java program the way `java File.java` (source-file mode) would choose it: the
// first top-level class declared in the source file, in its package. Usage: `SourceMain File.java
// [args]` with the compiled classes on the class path. An exception from main ends the JVM with
// the program's own stack trace and exit code 1, as when the class is run directly.

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

public final class SourceMain {
    /** The first top-level type of a Java source, with its package ("" when none). */
    static String firstClass(String src) {
        String pkg = "";
        int depth = 0;
        int i = 0;
        String previous = "";
        while (i < src.length()) {
            char c = src.charAt(i);
            if (src.startsWith("//", i)) {
                i = src.indexOf('\n', i);
                if (i < 0) break;
            } else if (src.startsWith("/*", i)) {
                i = src.indexOf("*/", i + 2);
                if (i < 0) break;
                i += 2;
            } else if (src.startsWith("\"\"\"", i)) {
                i = src.indexOf("\"\"\"", i + 3);
                if (i < 0) break;
                i += 3;
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < src.length() && src.charAt(i) != c) i += src.charAt(i) == '\\' ? 2 : 1;
                i++;
            } else if (c == '{') {
                depth++;
                i++;
            } else if (c == '}') {
                depth--;
                i++;
            } else if (Character.isJavaIdentifierStart(c)) {
                int start = i;
                while (i < src.length() && (Character.isJavaIdentifierPart(src.charAt(i)) || src.charAt(i) == '.')) i++;
                String word = src.substring(start, i);
                if (depth == 0 && previous.equals("package")) pkg = word + ".";
                if (depth == 0 && (previous.equals("class") || previous.equals("interface")
                        || previous.equals("enum") || previous.equals("record"))) {
                    return pkg + word;
                }
                previous = word;
            } else {
                i++;
            }
        }
        throw new IllegalArgumentException("no class declared in the source file");
    }

    public static void main(String[] argv) throws Throwable {
        String source = Files.readString(Path.of(argv[0]), StandardCharsets.UTF_8);
        Class<?> program = Class.forName(firstClass(source));
        Method main;
        try {
            main = program.getDeclaredMethod("main", String[].class);  // not an inherited one
        } catch (NoSuchMethodException e) {
            main = null;
        }
        int mods = main == null ? 0 : main.getModifiers();
        if (!Modifier.isPublic(mods) || !Modifier.isStatic(mods) || main.getReturnType() != void.class) {
            // What source-file mode says, with its exit code.
            System.err.println("error: can't find main(String[]) method in class: " + program.getName());
            System.exit(1);
        }
        main.setAccessible(true);  // the launcher also runs main of a class that is not public
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(argv, 1, argv.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
