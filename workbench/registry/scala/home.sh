# Sourced by the other scripts: Scala's folder and the class path `scalac` itself uses (every jar
# of its lib folder, each followed by a colon), found through the scalac on PATH.
scala=$(dirname "$(readlink -f "$(command -v scalac)")")/..
classpath=$(printf '%s:' "$scala"/lib/*.jar)
