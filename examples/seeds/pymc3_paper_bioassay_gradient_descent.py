"""Seed: the PyMC3 paper's Theano section, "Example: Logistic regression".

The bioassay data fitted by gradient descent: shared weights, a cross-entropy cost, its
gradient by ``grad``, and one compiled ``train`` function whose updates move the weights
and shrink the step. The fitted curve is plotted over the data, as in the seed.
"""

import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import tensorops as pt
from autodiff import grad
from graphcore import function, shared

OUTPUT = Path(os.environ.get("DEMO_OUTPUT") or tempfile.mkdtemp(prefix="demo-"))
OUTPUT.mkdir(parents=True, exist_ok=True)
plt.switch_backend("Agg")

dose = np.array([-0.86, -0.3, -0.05, 0.73])
deaths = np.array([0, 1, 3, 5])
training_steps = 1000

# Symbolic variables
x = pt.vector("x")
y = pt.vector("y")
w = shared(1.0, name="w")
b = shared(0.0, name="b")

print("Initial model:", w.get_value(), b.get_value())

# Probability that target = 1
p_1 = 1 / (1 + pt.exp(-(x * w + b)))
# The prediction threshold
prediction = p_1 > 0.5
# Cross-entropy loss function (five animals per dose)
xent = -y * pt.log(p_1) - (5 - y) * pt.log(1 - p_1)
# The cost to minimize
cost = xent.mean()
# Compute the gradient of the cost
gw, gb = grad(cost, [w, b])

step = shared(10.0, name="step")
train = function(
    inputs=[x, y],
    outputs=[prediction, xent],
    updates=((w, w - step * gw), (b, b - step * gb), (step, step * 0.99)),
)
predict = function(inputs=[x], outputs=prediction)

for _ in range(training_steps):
    pred, err = train(dose, deaths)

print("Final model:", w.get_value(), b.get_value())
print("predictions:", predict(dose))


# The same descent in NumPy, with the gradient worked by hand: the updates must agree.
def numpy_descent(w_now, b_now, step_now):
    for _ in range(training_steps):
        p = 1 / (1 + np.exp(-(dose * w_now + b_now)))
        residual = (5 - deaths) * p - deaths * (1 - p)  # d xent / d (x w + b)
        gw_now, gb_now = np.mean(residual * dose), np.mean(residual)
        w_now, b_now, step_now = (
            w_now - step_now * gw_now,
            b_now - step_now * gb_now,
            step_now * 0.99,
        )
    return w_now, b_now


w_numpy, b_numpy = numpy_descent(1.0, 0.0, 10.0)
np.testing.assert_allclose([w.get_value(), b.get_value()], [w_numpy, b_numpy], rtol=1e-9)
# The seed draws its curve with the fitted weights rounded: logit(7.8 x + .85).
assert round(float(w.get_value()), 1) == 7.8 and round(float(b.get_value()), 2) == 0.85
np.testing.assert_array_equal(predict(dose), [False, False, True, True])


def logit(x):
    return 1.0 / (1 + np.exp(-x))


xvals = np.linspace(-1, 1)
fig, ax = plt.subplots()
ax.plot(xvals, logit(7.8 * xvals + 0.85))
ax.plot(dose, deaths / 5.0, "ro")
ax.set(xlabel="dose", ylabel="share of deaths", title="Bioassay: logistic fit by gradient descent")
path = OUTPUT / "pymc3_paper_bioassay_fit.png"
fig.savefig(path)
print("plot written to", path)
