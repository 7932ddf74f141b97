"""``python -m ccodegen cache info`` and ``python -m ccodegen cache clear``."""

from __future__ import annotations

import argparse

from ccodegen.cache import cache_info, clear_cache


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 2**10:.1f} KB"


def _info() -> None:
    info = cache_info()
    print(f"folder:  {info.folder}")
    print(f"modules: {info.modules}")
    print(f"failed:  {info.failed} (generated C of failed builds, in failed/)")
    print(f"size:    {_megabytes(info.size_bytes)}")
    print(f"bound:   {_megabytes(info.bound_bytes)} (config.cache_size_limit_mb)")


def _clear() -> None:
    before = cache_info()
    removed = clear_cache()
    print(f"removed {removed} modules ({_megabytes(before.size_bytes)}) from {before.folder}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m ccodegen",
        description="The compiled-module cache (its folder is config.cache_dir + c/; "
        "set it with GRAPHCORE_FLAGS=cache_dir=...).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    cache = commands.add_parser("cache", help="inspect or empty the compiled-module cache")
    actions = cache.add_subparsers(dest="action", required=True)
    actions.add_parser("info", help="folder, number of modules, total size, size bound")
    actions.add_parser("clear", help="remove every cached module")
    arguments = parser.parse_args(argv)
    {"info": _info, "clear": _clear}[arguments.action]()


if __name__ == "__main__":
    main()
