"""Seed "PyMC and PyTensor": Graph manipulation 101.

The graph's inputs, then ``clone_replace`` putting ``exp`` under the ``log``: a new graph
(the original is unchanged) that is the identity, and that compiles without exp or log.
"""

import io

import numpy as np

import graphcore
import tensorops as pt


def tree(variable_or_function):
    """dprint's lines with the tree drawing stripped, to compare with the seed's."""
    text = io.StringIO()
    graphcore.dprint(variable_or_function, file=text)
    return [line.lstrip(" │├└─") for line in text.getvalue().splitlines()]


x = pt.scalar(name="x")
y = pt.vector(name="y")
z = x + y
z.name = "x + y"
w = pt.log(z)
w.name = "log(x + y)"
original_tree = tree(w)

# get input tensors
inputs = list(graphcore.graph_inputs(graphs=[w]))
print(inputs)
assert inputs == [x, y]  # the seed prints [x, y]

parent_of_w = w.owner.inputs[0]  # get z tensor
new_parent_of_w = pt.exp(parent_of_w)  # modify the parent of w
new_parent_of_w.name = "exp(x + y)"

# Note that the graph of w has actually not changed:
graphcore.dprint(w)
assert tree(w) == original_tree

new_w = graphcore.clone_replace(output=[w], replace={parent_of_w: new_parent_of_w})[0]
new_w.name = "log(exp(x + y))"
graphcore.dprint(new_w)
assert tree(new_w) == [  # the seed's tree
    "Log [id A] 'log(exp(x + y))'",
    "Exp [id B] 'exp(x + y)'",
    "Add [id C] 'x + y'",
    "ExpandDims{axis=0} [id D]",
    "x [id E]",
    "y [id F]",
]
assert tree(w) == original_tree  # still unchanged

print(repr(new_w.eval({x: 0, y: [1, np.e]})))
np.testing.assert_allclose(new_w.eval({x: 0, y: [1, np.e]}), [1.0, 2.71828183], rtol=1e-8)

# Compiled, exp and log are gone: only the addition remains.
f = graphcore.function(inputs=[x, y], outputs=new_w)
graphcore.dprint(f)
assert tree(f) == [  # the seed's tree of the compiled function
    "Add [id A] 'x + y' 1",
    "ExpandDims{axis=0} [id B] 0",
    "x [id C]",
    "y [id D]",
]
print(repr(f(x=0, y=[1, np.e])))
np.testing.assert_allclose(f(x=0, y=[1, np.e]), [1.0, np.e], rtol=1e-15)
