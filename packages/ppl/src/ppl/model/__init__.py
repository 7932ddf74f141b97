"""The model: what a ``with pm.Model():`` block declares, and its log density."""
