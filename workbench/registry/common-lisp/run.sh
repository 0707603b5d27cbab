# Common Lisp/14 reads "../data/Common Lisp/file.txt" (generation, explanation) or
# "data/Common Lisp/file.txt" (completion): the official evaluator's layout around its temp
# folder. The support folder (holding file.txt) is in the work folder; link the file where the
# tests look (inside bubblewrap ".." is the private /tmp). --script: no init files, debugger
# disabled (an unhandled error ends the run with exit 1).
if [ -f file.txt ]; then
  for d in '../data/Common Lisp' 'data/Common Lisp'; do
    mkdir -p "$d" 2>/dev/null && ln -sf "$PWD/file.txt" "$d/file.txt" 2>/dev/null
  done
fi
exec sbcl --script "$1"
