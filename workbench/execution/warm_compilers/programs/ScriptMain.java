// Runs a Kotlin script compiled to a class (`kotlinc -d . main.kts` gives class Main, whose
// constructor is the script body), as `kotlinc -script` would: usage `ScriptMain Main [args]`.
// An exception from the script ends the JVM with the script's own stack trace and exit code 1.

import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

public final class ScriptMain {
    public static void main(String[] argv) throws Throwable {
        Class<?> script = Class.forName(argv[0]);
        String[] args = Arrays.copyOfRange(argv, 1, argv.length);
        try {
            script.getConstructor(String[].class).newInstance((Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
