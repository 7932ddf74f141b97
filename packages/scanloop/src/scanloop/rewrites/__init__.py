"""The rewrites of ``Scan`` nodes, registered in rewriter's database when imported.

In the order they run (positions in ``rewriter.rewrite_db``):

- in canonicalize (1): ``scan_hoist_invariants`` (hoist.py), ``scan_vectorize``
  (vectorize.py), ``scan_dead_outputs`` (dead.py);
- ``scan_dead_outputs_walk`` (1.4), ``scan_merge`` (1.5, merge.py), ``scan_store``
  (1.6, store.py: keep only the entries that are read);
- ``scan_step`` (3.9, step.py): each step rewritten with the compile's own rewrites.

Each is tagged ``"scan"`` (``mode.excluding("scan")`` turns them all off) and by its
name. parts.py takes a Scan node apart and builds a new one.
"""

from scanloop.rewrites import dead, hoist, merge, step, store, vectorize

__all__ = ["dead", "hoist", "merge", "step", "store", "vectorize"]
