"""``doctor``, ``toolchains`` and ``image``: this machine — what runs here, installing what is
missing, and the Docker backend's runtime image. Their text is ``ops/``'s own."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workbench.cli import options


def _doctor(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from workbench.ops.doctor import report, report_text, self_test, self_test_text

    data = report()
    if args.verify:
        data["self_test"] = [asdict(c) for c in self_test(args.data, args.languages)]
    if args.json:
        print(json.dumps(data, indent=2))
        return 0 if all(c.get("ok") for c in data.get("self_test", [])) else 1
    print(report_text(data))
    if args.verify:
        print(self_test_text(data["self_test"]))
        broken = [c for c in data["self_test"] if not c["ok"]]
        if broken:
            print(
                f"\n{len(broken)} toolchain(s) BROKEN: their verdicts would be wrong",
                file=sys.stderr,
            )
            return 1
    return 0


def _toolchains(args: argparse.Namespace) -> int:
    from workbench.ops.toolchains import (
        can_install,
        install,
        npm_packages_for,
        packages_for,
        prebuilt_lines,
    )

    if args.action == "list" or (args.action == "install" and not can_install()):
        packages, npm = packages_for(args.languages), npm_packages_for(args.languages)
        if packages:
            print("missing Debian packages: " + " ".join(packages))
        if npm:
            print("missing npm packages (workbench prefix): " + " ".join(npm))
        if not (packages or npm):
            print("all toolchains present")
        for line in prebuilt_lines(args.languages, build=False)[0]:
            print(line)
        if args.action == "install" and packages:
            print("run as root on Debian/Ubuntu: apt-get install -y " + " ".join(packages))
            return 1
        return 0
    installed = install(args.languages)
    print("installed: " + (" ".join(installed) if installed else "nothing (all present)"))
    lines, ok = prebuilt_lines(args.languages, build=True)
    for line in lines:
        print(line)
    return 0 if ok else 1


def _image(args: argparse.Namespace) -> int:
    if args.action == "profile":
        from workbench.ops.image import profile_report

        return profile_report(args.profile, args.image)
    from workbench.evaluation.containers import DEFAULT_IMAGE
    from workbench.ops.image import build_image

    built = build_image(
        args.tag or DEFAULT_IMAGE, args.base, args.vendor, args.network, cache=args.cache
    )
    served = sum(v is not None for v in built.versions.values())
    print(
        f"\n{built.tag}: built in {built.seconds / 60:.1f} min on {built.base}; {served} of "
        f"{len(built.versions)} languages have a toolchain in it"
    )
    return 0


def _image_options(im: argparse.ArgumentParser) -> None:
    im.add_argument("action", choices=["build", "profile"])
    im.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="profile: a docker/profiles/*.toml (default: the official McEval image's)",
    )
    im.add_argument(
        "--image",
        default=None,
        help="profile: check the paths in this local image (default: the profile's names)",
    )
    im.add_argument(
        "--base",
        default=None,
        metavar="IMAGE",
        help="base image (default: Debian bookworm made here with debootstrap, as root)",
    )
    im.add_argument(
        "--no-vendor",
        dest="vendor",
        action="store_false",
        help="Debian and npm toolchains only: leave out Julia, Swift, Dart, PowerShell, .NET",
    )
    im.add_argument("--tag", default=None, help="build: its tag (default: mceval-workbench:latest)")
    im.add_argument(
        "--no-cache", dest="cache", action="store_false", help="rebuild every layer of the image"
    )
    im.add_argument(
        "--network", default=None, help="build network mode (host: where the bridge is cut off)"
    )


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``doctor``, ``toolchains`` and ``image`` to the command line."""
    d = sub.add_parser("doctor", help="toolchains, versions and sandbox of this machine")
    d.add_argument("--json", action="store_true", help="machine-readable output")
    d.add_argument(
        "--verify",
        action="store_true",
        help="self-test: a known-good and a known-bad program per ready language",
    )
    options.data(d, help="McEval folder for --verify (default: MCEVAL_DATA)")
    options.languages(d, help="only these languages (--verify)")
    d.set_defaults(func=_doctor)

    t = sub.add_parser(
        "toolchains",
        help="list or install the toolchains of the registry (Debian, npm, prebuilt dependencies)",
    )
    t.add_argument("action", choices=["list", "install"])
    options.languages(t)
    t.set_defaults(func=_toolchains)

    im = sub.add_parser(
        "image",
        help="build the Docker backend's runtime image, or check another image's profile",
    )
    _image_options(im)
    im.set_defaults(func=_image)
