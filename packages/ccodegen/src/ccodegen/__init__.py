"""C code generation for tensor graphs, compiled through cffi."""

from ccodegen.build import CCompileError, CompilerNotFound, have_c_compiler
from ccodegen.cache import (
    CacheInfo,
    CacheStats,
    CompiledModule,
    cache_info,
    cache_key,
    clear_cache,
    load_module,
    stats,
    trim_cache,
)

__version__ = "0.1.0"

__all__ = [
    "CCompileError",
    "CacheInfo",
    "CacheStats",
    "CompiledModule",
    "CompilerNotFound",
    "cache_info",
    "cache_key",
    "clear_cache",
    "have_c_compiler",
    "load_module",
    "stats",
    "trim_cache",
]
