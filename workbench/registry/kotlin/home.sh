# Sourced by the other scripts: the folder of the npm package kotlin-compiler (the paper's
# 1.9.21). Its only executable on PATH is the kotlinc-js launcher; the JVM compiler (bin/kotlinc),
# its jars and the standard library (lib/) are in the package's folder around it.
kotlin=$(dirname "$(readlink -f "$(command -v kotlinc-js)")")/..
