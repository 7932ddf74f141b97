"""Seed: the PyMC3 paper's Theano section, "Maintaining State with Shared Variables".

An accumulator returns the old state and adds its argument; a second function shares
the same state and decrements it.
"""

import tensorops as pt
from graphcore import function, shared

state = shared(0)
inc = pt.iscalar("inc")
accumulator = function([inc], state, updates=[(state, state + inc)])

seen = []


def show(value):
    """Print like the seed's print(...) cells and keep the value for the checks below."""
    print(value)
    seen.append(int(value))


show(state.get_value())
show(accumulator(1))
show(state.get_value())
show(accumulator(300))
show(state.get_value())

# It is possible to reset the state. Just use the set_value method:
state.set_value(-1)
show(accumulator(3))
show(state.get_value())

# A second function can use (and update) the same shared variable.
decrementor = function([inc], state, updates=[(state, state - inc)])
show(decrementor(2))
show(state.get_value())

# What Theano prints for these cells: the old value is returned, the new one kept.
assert seen == [0, 0, 1, 1, 301, -1, 2, 2, 0], seen
