"""C rules for tensorops' ops, registered on ``ccodegen.cnode.c_ops`` when imported."""

from ccodegen.ops import elemwise as elemwise
from ccodegen.ops import indexing as indexing
from ccodegen.ops import products as products
from ccodegen.ops import reductions as reductions
from ccodegen.ops import shapes as shapes
from ccodegen.ops import views as views

__all__ = ["elemwise", "indexing", "products", "reductions", "shapes", "views"]
