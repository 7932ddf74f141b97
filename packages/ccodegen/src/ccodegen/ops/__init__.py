"""C rules for tensorops' ops, registered on ``ccodegen.cnode.c_ops`` when imported."""

from ccodegen.ops import advanced as advanced
from ccodegen.ops import argreduce as argreduce
from ccodegen.ops import creation as creation
from ccodegen.ops import cumulative as cumulative
from ccodegen.ops import elemwise as elemwise
from ccodegen.ops import indexing as indexing
from ccodegen.ops import joins as joins
from ccodegen.ops import linalg as linalg
from ccodegen.ops import matmul as matmul
from ccodegen.ops import norms, repeat, sorting  # noqa: F401 - sort, repeat, norm
from ccodegen.ops import products as products
from ccodegen.ops import reductions as reductions
from ccodegen.ops import shapes as shapes
from ccodegen.ops import softmax as softmax
from ccodegen.ops import tensordot as tensordot
from ccodegen.ops import updates as updates
from ccodegen.ops import views as views

__all__ = [
    "advanced",
    "argreduce",
    "creation",
    "cumulative",
    "elemwise",
    "indexing",
    "joins",
    "matmul",
    "products",
    "reductions",
    "shapes",
    "softmax",
    "tensordot",
    "updates",
    "views",
]
