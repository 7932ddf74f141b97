"""Tensor graphs print as API.md shows: infix pp, the dprint tree, and the types' names."""

import graphcore as g
import tensorops as pt


def test_pp_of_arithmetic():
    x, y = pt.dscalars("x", "y")
    assert g.pp(x + y) == "(x + y)"
    assert g.pp(pt.log(x + y)) == "log((x + y))"
    assert g.pp(-x * y) == "(-x * y)"


def test_dprint_of_the_seed_example():
    x, y = pt.dscalars("x", "y")
    z = pt.log(x + y)
    z.name = "log(x + y)"
    assert g.dprint(z, file="str") == (
        "Log [id A] 'log(x + y)'\n └─ Add [id B]\n    ├─ x [id C]\n    └─ y [id D]\n"
    )


def test_type_strings():
    assert str(pt.dvector("v").type) == "Vector(float64, shape=(?,))"
    assert str(pt.dmatrix("m").type) == "Matrix(float64, shape=(?, ?))"
    assert str(pt.dscalar("s").type) == "Scalar(float64, shape=())"
