"""Execution: one program in, one verdict out.

``records`` (Program, Execution, StepReport, Status) -> ``execute`` (a fresh ``workfolder``, the
``prebuilt`` dependencies, then the language's ``recipe`` or one of the ``scoring`` modules) ->
``sandbox`` (each step confined). ``warm_compilers`` keep one compiler alive per worker, and
``toolchain`` says whether a language can run here and at which version.
"""
