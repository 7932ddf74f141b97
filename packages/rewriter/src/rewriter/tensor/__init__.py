"""The tensor rewrites: canonicalize, stabilize and specialize rules (and, from their own
modules, fusion and inplace), registered in the default database when imported.

Every module of this folder is imported, so a new file of rules registers itself.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
