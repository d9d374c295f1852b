"""Heavy libraries loaded on first use rather than at import.

numpy, pandas and vl_convert serve reports, imports, charts and the demo's data, but the modules
that use them are imported by the schema and the CLI: loaded at import, they cost every process
about 60 MB and a second of start-up. A module that needs one writes::

    if TYPE_CHECKING:
        import numpy as np
    else:
        np = lazy_module("numpy")

Type checkers see the real module; at run time the library is imported the first time one of
its attributes is read (``np.asarray``), and each attribute is then kept on the stand-in, so a
hot loop pays the indirection once per name. Module-level code must not touch such a name (a
type alias is written as a string: ``FloatArray: TypeAlias = "npt.NDArray[np.float64]"``);
``tests/test_lean_start.py`` checks that importing the CLI and building the app load none of them.
"""

from __future__ import annotations

import importlib
from types import ModuleType


class _LazyModule(ModuleType):
    def __getattr__(self, attribute: str) -> object:
        value: object = getattr(importlib.import_module(self.__name__), attribute)
        setattr(self, attribute, value)
        return value


def lazy_module(name: str) -> ModuleType:
    """A stand-in for the module ``name`` that imports it when first used."""
    return _LazyModule(name)
