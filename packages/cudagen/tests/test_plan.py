"""The plan and the source, without running anything: which node is which kernel, view
or host op, what crosses between host and device, and what the CUDA text holds."""

from __future__ import annotations

import re

import pytest

import cudagen
import tensorops as pt
from cudagen.scalar_cuda import SCALAR_CUDA
from tensorops.scalar_ops import SCALAR_OPS

HOST_ONLY_ROWS = {"polygamma", "gammainc", "gammaincc", "betainc"}
"""Rows CUDA's math library lacks and no prelude helper computes yet."""


def test_every_scalar_op_has_a_row_or_is_named_host_only() -> None:
    assert set(SCALAR_OPS) - set(SCALAR_CUDA) == HOST_ONLY_ROWS
    assert set(SCALAR_CUDA) <= set(SCALAR_OPS)


def test_fused_reduction_is_one_kernel() -> None:
    a, x, y = pt.scalar("a"), pt.vector("x"), pt.vector("y")
    out = pt.exp(a * x**3 + y**2).sum()
    plan = cudagen.plan_of([a, x, y], out)
    assert [s.role for s in plan.steps] == ["view", "fused", "kernel"]
    assert sorted(var.name for var in plan.uploaded_inputs) == ["a", "x", "y"]
    assert plan.transfers == [] and plan.output_places == ["device"]
    code = _code(cudagen.cuda_source([a, x, y], out))
    (reduction,) = set(re.findall(r"void (cu_red_\w+?)_[csf]\(", code))
    launched = {
        name for step in plan.steps if step.kernel for name in step.kernel.kernel.kernel_names
    }
    assert launched == {f"{reduction}_{variant}" for variant in "csft"}
    assert "exp(t" in code  # the program, inside the reduction


def _code(source: str) -> str:
    """The kernels' text without the prelude and comments."""
    return re.sub(r"/\*.*?\*/", "", source.split("#define CU_TILE")[1], flags=re.DOTALL)


def test_float32_uses_the_f_functions() -> None:
    x = pt.fvector("x")
    source = cudagen.cuda_source([x], pt.exp(x) + pt.sigmoid(x) * pt.erf(x))
    kernels = _code(source)
    assert "expf(" in kernels and "cu_sigmoidf(" in kernels and "erff(" in kernels
    assert not re.search(r"\bexp\(", kernels)


def test_views_launch_nothing() -> None:
    m = pt.matrix("m")
    out = m.T[1:, ::2].reshape((-1,))
    plan = cudagen.plan_of([m], out)
    assert {s.role for s in plan.steps} <= {"view", "shape", "host"}
    assert plan.count("kernel") == 0 and plan.count("view") >= 2


def test_host_ops_and_their_transfers() -> None:
    x = pt.vector("x")
    plan = cudagen.plan_of([x], pt.sort(pt.exp(x)) * 3)
    roles = [s.role for s in plan.steps]
    assert roles == ["kernel", "host", "kernel"]
    assert [direction for _, direction in plan.transfers] == ["to host", "to device"]
    assert "2 transfers per call" in plan.describe()


@pytest.mark.parametrize(
    ("build", "kind"),
    [
        (lambda m: pt.dot(m, m), "cu_mm_"),
        (lambda m: pt.matmul(m, m.T), "cu_mm_"),
        (lambda m: pt.max(m, axis=1), "cu_red_"),
        (lambda m: pt.switch(m > 0, m, -m), "cu_ew_"),
        (lambda m: pt.all(m > 0, axis=0), "cu_red_"),
    ],
)
def test_kernels_of_each_kind(build: object, kind: str) -> None:
    m = pt.matrix("m")
    source = cudagen.cuda_source([m], build(m))  # type: ignore[operator]
    assert f"void {kind}" in source


def test_a_fused_program_with_a_host_step_is_split() -> None:
    x = pt.vector("x")
    plan = cudagen.plan_of([x], pt.gammainc(pt.exp(x), 2.0) * 3)
    roles = [(step.role, str(step.node.op)) for step in plan.steps]
    assert roles[:3] == [("kernel", "Exp"), ("host", "Gammainc"), ("kernel", "Mul")]
    assert roles[3][0] == "split"
    assert [direction for _, direction in plan.transfers] == ["to host", "to device"]


def test_arithmetic_on_lengths_stays_on_the_host() -> None:
    """The shape a reshape takes, computed from the lengths the host knows: no launch,
    no transfer (on the device: two launches and three transfers)."""
    x = pt.matrix("x")
    plan = cudagen.plan_of([x], pt.exp(x).reshape((x.shape[0] * x.shape[1],)))
    roles = {str(step.node.op).split("{")[0]: step.role for step in plan.steps}
    assert roles["Mul"] == "host" and roles["MakeVector"] == "host", plan.describe()
    assert roles["Reshape"] == "view" and not plan.transfers, plan.describe()
    assert plan.count("kernel") == 1
