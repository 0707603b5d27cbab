# build.cs: the usings of usings.cs, then the program. usings.cs is one line without a newline,
# so the program keeps its own line numbers in the compiler's messages.
cat /tmp/wb-recipe/usings.cs "$1" > build.cs
