"""The generic rewrite engine: node rewriters, patterns, walks, equilibria, merging, folding."""

from rewriter.engine.aliasing import can_destroy, is_destroyed
from rewriter.engine.dispatch import RewriterIndex, apply_node_rewriter
from rewriter.engine.equilibrium import ChangeTracker, EquilibriumGraphRewriter
from rewriter.engine.folding import constant_folding
from rewriter.engine.graph_rewriter import (
    GraphRewriter,
    SequentialGraphRewriter,
    WalkingGraphRewriter,
)
from rewriter.engine.merge import MergeRewriter, merge_equal_nodes
from rewriter.engine.node_rewriter import NodeRewriter, Replacement, node_rewriter
from rewriter.engine.pattern import PatternNodeRewriter
from rewriter.engine.report import RewriteBudgetWarning, RewriteErrorWarning, RewriteReport

__all__ = [
    "ChangeTracker",
    "EquilibriumGraphRewriter",
    "GraphRewriter",
    "MergeRewriter",
    "NodeRewriter",
    "PatternNodeRewriter",
    "Replacement",
    "RewriteBudgetWarning",
    "RewriteErrorWarning",
    "RewriteReport",
    "RewriterIndex",
    "SequentialGraphRewriter",
    "WalkingGraphRewriter",
    "apply_node_rewriter",
    "can_destroy",
    "constant_folding",
    "is_destroyed",
    "merge_equal_nodes",
    "node_rewriter",
]
