# The warm compiler (warm_compilers/programs/CompileServer.java) on the npm package's compiler.
. /tmp/wb-recipe/home.sh
exec java $JAVA_OPTS --add-opens java.base/java.util=ALL-UNNAMED -Dkotlin.home="$kotlin" -cp "$kotlin/lib/kotlin-compiler.jar:/tmp/wb-servers" CompileServer kotlin
