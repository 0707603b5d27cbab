# The JVM compiler of the npm package, given the step's arguments.
. /tmp/wb-recipe/home.sh
exec "$kotlin/bin/kotlinc" "$@"
