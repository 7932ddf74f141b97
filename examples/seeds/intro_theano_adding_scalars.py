"""Seed "A Brief Intro to Theano" (and the PyMC3 paper's Theano section): Adding Two Scalars.

Declare typed symbols, build ``z = x + y``, pretty-print it, compile it, call it, and
write its graph (pydotprint's successor, ``graphcore.graphviz``) into the plot folder.
"""

import os
import tempfile
from pathlib import Path

import graphcore
import tensorops as pt
from graphcore import function, pp

OUTPUT = Path(os.environ.get("DEMO_OUTPUT") or tempfile.mkdtemp(prefix="demo-"))
OUTPUT.mkdir(parents=True, exist_ok=True)

# Step 1 - Declaring Variables
x = pt.dscalar("x")
y = pt.dscalar("y")

print(type(x))
print(x.type)
print(pt.dscalar)
assert str(x.type) == "Scalar(float64, shape=())"  # the seed's TensorType(float64, scalar)

# Step 2 - Symbolic Expressions
z = x + y
print(pp(z))
assert pp(z) == "(x + y)"  # the seed prints (x + y)

# Step 3 - Compiling a Function
f = function([x, y], z)
print(f(2, 3))
print(f(16.3, 12.1))
assert f(2, 3) == 5.0  # the seed prints 5.0
assert f(16.3, 12.1) == 28.4  # the seed prints 28.4
print("linker:", f.maker.linker.name)  # "c" when a C compiler is present: f is machine code

# The expression graph of f (the seed's printing.pydotprint(f, 'images/f.png'))
written = graphcore.graphviz(f, OUTPUT / "intro_theano_adding_scalars_graph.dot")
print("graph written to", written)
