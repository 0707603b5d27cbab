# The warm compiler (warm_compilers/programs/tsc_server.js) on the compiler library of the tsc on
# PATH (the npm package typescript, the paper's 5.3.3).
tsc=$(dirname "$(readlink -f "$(command -v tsc)")")
exec node /tmp/wb-servers/tsc_server.js "$tsc/../lib/typescript.js"
