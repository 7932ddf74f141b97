"""Seed "PyMC and PyTensor": PyTensor is clever!

``b * (a / b)`` is a graph of two operations; compiled, it is the identity on ``a``.
"""

import io

import graphcore
import tensorops as pt


def tree(variable_or_function):
    """dprint's lines with the tree drawing stripped, to compare with the seed's."""
    text = io.StringIO()
    graphcore.dprint(variable_or_function, file=text)
    return [line.lstrip(" │├└─") for line in text.getvalue().splitlines()]


a = pt.scalar(name="a")
b = pt.scalar(name="b")
c = a / b
c.name = "a / b"
graphcore.dprint(c)
# The seed's tree, with our name for the division op (PyTensor spells it True_div)
assert tree(c) == ["TrueDiv [id A] 'a / b'", "a [id B]", "b [id C]"]

d = b * c
d.name = "b * c"
graphcore.dprint(d)
assert tree(d) == [
    "Mul [id A] 'b * c'",
    "b [id B]",
    "TrueDiv [id C] 'a / b'",
    "a [id D]",
    "b [id B]",
]

g = graphcore.function(inputs=[a, b], outputs=d)
graphcore.dprint(g)
# Compiled, nothing is computed: the output is the input a (the seed shows a DeepCopyOp of
# a, which our functions do not need).
fgraph = g.maker.fgraph
assert fgraph.toposort() == [] and fgraph.outputs[0] is fgraph.inputs[0]
assert g(3.0, 7.0) == 3.0 and g(1e300, 1e-300) == 1e300  # no overflow: a / b is never formed
print("g(3, 7) =", g(3.0, 7.0))
