"""Gradient rules for tensorops' ops: every module in this folder registers its rules
on import (one module per family of ops)."""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
