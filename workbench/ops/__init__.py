"""Operations on this machine: what it can run (``doctor``), installing toolchains
(``toolchains``), the bundled demo (``demo``) and rebuilding ``data/paper`` (``paper_data``)."""
