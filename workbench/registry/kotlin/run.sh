# Run the compiled script class Main with ScriptMain (warm_compilers/programs/), which does what
# `kotlinc -script` does after compiling, on the script runtime of the compiler's own version.
# -ea: Kotlin's assert() is a no-op without it (the official evaluator turns it on too).
. /tmp/wb-recipe/home.sh
lib=$kotlin/lib
exec java -ea $JAVA_OPTS -Xshare:auto -cp ".:/tmp/wb-servers:$lib/kotlin-stdlib.jar:$lib/kotlin-script-runtime.jar" ScriptMain Main
