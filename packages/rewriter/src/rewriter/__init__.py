"""The rewrite engine, the tensor rewrites and the FAST_RUN mode.

One engine serves every phase: node rewriters (functions or patterns) are
registered in a phase of the database (``register_canonicalize`` …), each phase
runs them to an equilibrium, and ``pipeline.build`` hands graphcore the phases a
compile mode asks for.
"""

from rewriter.db import (
    EquilibriumDatabase,
    PhaseRegistrar,
    RewriteDatabase,
    SequenceDatabase,
    canonicalize_db,
    fusion_db,
    inplace_db,
    register_canonicalize,
    register_fusion,
    register_inplace,
    register_specialize,
    register_stabilize,
    rewrite_db,
    specialize_db,
    stabilize_db,
)
from rewriter.engine import (
    EquilibriumGraphRewriter,
    GraphRewriter,
    MergeRewriter,
    NodeRewriter,
    PatternNodeRewriter,
    RewriteBudgetWarning,
    RewriteErrorWarning,
    RewriteReport,
    SequentialGraphRewriter,
    WalkingGraphRewriter,
    can_destroy,
    constant_folding,
    is_destroyed,
    merge_equal_nodes,
    node_rewriter,
)
from rewriter.pipeline import build, rewrite_graph

__version__ = "0.1.0"

__all__ = [
    "EquilibriumDatabase",
    "EquilibriumGraphRewriter",
    "GraphRewriter",
    "MergeRewriter",
    "NodeRewriter",
    "PatternNodeRewriter",
    "PhaseRegistrar",
    "RewriteBudgetWarning",
    "RewriteDatabase",
    "RewriteErrorWarning",
    "RewriteReport",
    "SequenceDatabase",
    "SequentialGraphRewriter",
    "WalkingGraphRewriter",
    "__version__",
    "build",
    "can_destroy",
    "canonicalize_db",
    "constant_folding",
    "fusion_db",
    "inplace_db",
    "is_destroyed",
    "merge_equal_nodes",
    "node_rewriter",
    "register_canonicalize",
    "register_fusion",
    "register_inplace",
    "register_specialize",
    "register_stabilize",
    "rewrite_db",
    "rewrite_graph",
    "specialize_db",
    "stabilize_db",
]
