# The warm compiler (warm_compilers/programs/CompileServer.java) on scalac's own class path.
. /tmp/wb-recipe/home.sh
exec java $JAVA_OPTS -Dscala.usejavacp=true -Dscala.home="$scala" -cp "${classpath}/tmp/wb-servers" CompileServer scala
