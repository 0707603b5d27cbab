# What `scala -nc -cp . <object>` runs, without its launcher script (0.1 s instead of 0.3 s).
. /tmp/wb-recipe/home.sh
exec java $JAVA_OPTS -cp ".:$classpath" "$1"
