"""Seed "PyMC and PyTensor": What is in a PyTensor graph?

The variable, its owner (the Apply node), the op and the inputs, then a walk from the
output back to the root variables.
"""

import tensorops as pt

x = pt.scalar(name="x")
y = pt.vector(name="y")
z = x + y
z.name = "x + y"
w = pt.log(z)
w.name = "log(x + y)"

print(
    f"""
z type: {z.type}
z name = {z.name}
z owner = {z.owner}
z owner inputs = {z.owner.inputs}
z owner op = {z.owner.op}
z owner output = {z.owner.outputs}
"""
)
# The seed's printed values
assert str(z.type) == "Vector(float64, shape=(?,))"
assert str(z.owner) == "Add(ExpandDims{axis=0}.0, y)"
assert str(z.owner.inputs) == "[ExpandDims{axis=0}.0, y]"
assert str(z.owner.op) == "Add"
assert str(z.owner.outputs) == "[x + y]"

lines = []


def say(text):
    print(text)
    lines.append(text.strip())


# start from the top
stack = [w]
while stack:
    say("---")
    var = stack.pop(0)
    say(f"Checking variable {var} of type {var.type}")
    # check variable is not a root variable
    if var.owner is not None:
        say(f" > Op is {var.owner.op}")
        # loop over the inputs
        for i, input in enumerate(var.owner.inputs):
            say(f" > Input {i} is {input}")
            stack.append(input)
    else:
        say(f" > {var} is a root variable")

assert lines == [  # the seed's output
    "---",
    "Checking variable log(x + y) of type Vector(float64, shape=(?,))",
    "> Op is Log",
    "> Input 0 is x + y",
    "---",
    "Checking variable x + y of type Vector(float64, shape=(?,))",
    "> Op is Add",
    "> Input 0 is ExpandDims{axis=0}.0",
    "> Input 1 is y",
    "---",
    "Checking variable ExpandDims{axis=0}.0 of type Vector(float64, shape=(1,))",
    "> Op is ExpandDims{axis=0}",
    "> Input 0 is x",
    "---",
    "Checking variable y of type Vector(float64, shape=(?,))",
    "> y is a root variable",
    "---",
    "Checking variable x of type Scalar(float64, shape=())",
    "> x is a root variable",
]
