"""Operations on this machine: what it can run (``doctor``), installing toolchains
(``toolchains``), the Docker backend's runtime image and other images' profiles (``image``), the
bundled demo (``demo``) and rebuilding ``data/paper`` (``paper_data``)."""
