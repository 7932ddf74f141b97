"""Back-propagation through a scan: the gradient of a ``Scan`` is another ``Scan``.

The backward loop walks the forward steps from the last to the first (only the last
``truncate_gradient`` of them when that is set). At forward step ``t`` it recomputes
the step from the recorded inputs (sequence entries, the states' prior values,
non-sequences) and takes its vector-Jacobian product with autodiff:

- each float state keeps a *window* of pending gradients: ``window[i]`` is what later
  steps have added so far to the gradient of the entry ``i`` steps before the one
  step ``t`` wrote. The entry's total gradient is the outer gradient of it plus
  ``window[0]``; the step's gradients for its taps then shift into the window;
- each float non-sequence gets an accumulator summing its gradient over the steps;
- each float sequence gets its entry's gradient as a mapped output (reversed back).

Values that the step draws from carried state (random generators) are not
recomputed: the forward loop records them as extra mapped outputs and the backward
loop reads them back, so the gradient sees the same draws as the forward pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import tensorops as pt
from autodiff import grad, register_gradient
from autodiff.registry import GradEntry
from graphcore import Apply, Variable, clone_replace, io_toposort
from scanloop.info import ScanInfo
from scanloop.inner import InnerGraph
from scanloop.op import Scan
from tensorops import TensorType


def _is_float(var: Variable) -> bool:
    return isinstance(var.type, TensorType) and var.type.dtype.startswith(("float", "complex"))


@dataclass
class _Forward:
    """The forward loop as the backward one reads it: every entry stored, draws recorded."""

    states: list[Any]  # full state outputs: initial entries, then one per step
    mapped: list[Any]
    recorded: list[Any]  # one entry per step of each recorded draw
    drawn: list[Variable]  # the step's variables those record
    n_done: Variable  # steps the loop ran


@register_gradient(Scan)
def scan_gradient(node: Apply, output_grads: list[Any]) -> list[GradEntry]:
    op: Scan = node.op  # type: ignore[assignment]
    info = op.info
    forward = _forward(node)
    n = forward.n_done
    n_back: Any = n if info.truncate_gradient < 0 else pt.minimum(info.truncate_gradient, n)
    step = _BackwardStep(op, forward.drawn)

    def backwards(value: Any, start: Any = 0) -> Any:
        """Entries ``start .. start + n - 1`` of ``value``, last first."""
        return value[start : start + n][::-1]

    back_seqs = [backwards(node.inputs[position]) for position in info.outer_seqs]
    for s in range(info.n_states):
        back_seqs += [
            backwards(forward.states[s], info.init_length(s) + tap) for tap in info.state_taps[s]
        ]
    full_grads = {p: _full_gradient(node, p, output_grads[p], forward) for p in step.out_grad_in}
    back_seqs += [
        backwards(full_grads[p], info.init_length(p) if p < info.n_states else 0)
        for p in step.out_grad_in
    ]
    back_seqs += [backwards(recorded) for recorded in forward.recorded]
    zeros: list[Any] = [
        pt.zeros_like(forward.states[s][0]) for s in step.float_states for _ in step.windows[s]
    ]
    zeros += [pt.zeros_like(node.inputs[step.outer_non_seq(k)]) for k in step.summed]
    back = Scan(step.info(), step.graph())(
        pt.cast(n_back, "int64"),
        *back_seqs,
        *(pt.expand_dims(z, 0) for z in zeros),
        *(node.inputs[position] for position in info.outer_non_seqs),
    )
    back = back if isinstance(back, list) else [back]

    results: list[GradEntry] = [None] * len(node.inputs)
    finals = iter(out[-1] for out in back[: step.n_states])
    complete = pt.cast(pt.eq(n_back, n), "float64") if info.truncate_gradient >= 0 else None
    for s in step.float_states:
        pending = [next(finals) for _ in range(info.init_length(s))]
        results[info.outer_states[s]] = _initial_gradient(node, s, full_grads[s], pending, complete)
    for k in step.summed:
        results[step.outer_non_seq(k)] = next(finals)
    for k, reversed_grads in zip(step.seq_grads, back[step.n_states :], strict=True):
        outer: Any = node.inputs[info.outer_seqs[k]]
        results[info.outer_seqs[k]] = pt.set_subtensor(
            pt.zeros_like(outer)[n - n_back : n], reversed_grads[::-1]
        )
    return results


class _BackwardStep:
    """The backward loop's step: the forward step recomputed on placeholders (recorded
    draws cut in), its vector-Jacobian product, shifted windows and running sums."""

    def __init__(self, op: Scan, drawn: list[Variable]):
        self.op = op
        self.forward_info = info = op.info
        inner_in, inner_out = op.inner.inputs, op.inner.outputs
        self.float_states = [s for s in range(info.n_states) if _is_float(inner_out[s])]
        float_mapped = [m for m in info.out_mapped if _is_float(inner_out[m])]
        float_seqs = [k for k in info.inner_seqs if _is_float(inner_in[k])]

        def like(var: Variable, name: str | None) -> Variable:
            return var.type.make_variable(name)

        self.seq_in = [like(inner_in[k], inner_in[k].name) for k in info.inner_seqs]
        self.tap_in = {
            k: like(inner_in[k], inner_in[k].name)
            for s in range(info.n_states)
            for k in info.inner_state_taps(s)
        }
        self.out_grad_in = {
            p: like(inner_out[p], f"d_out{p}") for p in [*self.float_states, *float_mapped]
        }
        self.drawn_in = [like(var, f"drawn{k}") for k, var in enumerate(drawn)]
        self.windows = {
            s: [like(inner_out[s], f"pending{s}_{i}") for i in range(info.init_length(s))]
            for s in self.float_states
        }
        self.non_seq_in = [like(inner_in[k], inner_in[k].name) for k in info.inner_non_seqs]
        float_non_seqs = [k for k in info.inner_non_seqs if _is_float(inner_in[k])]
        self.sums = {k: like(inner_in[k], f"sum_d{k}") for k in float_non_seqs}

        found = self._vector_jacobian_product(drawn, float_seqs, float_non_seqs)
        self.new_windows = [
            self._shifted(s, i, found)
            for s in self.float_states
            for i in range(info.init_length(s))
        ]
        self.summed = [k for k in float_non_seqs if found.get(self._non_seq(k)) is not None]
        self.new_sums: list[Any] = [
            self.sums[k] + found[self._non_seq(k)]  # type: ignore[operator]
            for k in self.summed
        ]
        self.seq_grads = [k for k in float_seqs if found.get(self.seq_in[k]) is not None]
        self.new_seq_grads = [
            _as_type(found[self.seq_in[k]], self.seq_in[k])  # type: ignore[arg-type]
            for k in self.seq_grads
        ]

    @property
    def n_states(self) -> int:
        return len(self.new_windows) + len(self.new_sums)

    def _non_seq(self, k: int) -> Variable:
        return self.non_seq_in[k - self.forward_info.inner_non_seqs.start]

    def outer_non_seq(self, k: int) -> int:
        """The forward node's input position of the non-sequence at step input ``k``."""
        return self.forward_info.outer_non_seqs[k - self.forward_info.inner_non_seqs.start]

    def _vector_jacobian_product(
        self, drawn: list[Variable], float_seqs: list[int], float_non_seqs: list[int]
    ) -> dict[Variable, Variable | None]:
        info, inner = self.forward_info, self.op.inner
        replace: dict[Variable, Variable] = dict(zip(drawn, self.drawn_in, strict=True))
        replace.update(zip([inner.inputs[k] for k in info.inner_seqs], self.seq_in, strict=True))
        replace.update((inner.inputs[k], var) for k, var in self.tap_in.items())
        replace.update(
            zip([inner.inputs[k] for k in info.inner_non_seqs], self.non_seq_in, strict=True)
        )
        differentiated = list(self.out_grad_in)
        recomputed = list(clone_replace([inner.outputs[p] for p in differentiated], replace))
        _check_no_carry_left(recomputed, [inner.inputs[k] for k in info.inner_carries], self.op)
        known: dict[Variable, Any] = {}
        for p, value in zip(differentiated, recomputed, strict=True):
            cotangent: Any = self.out_grad_in[p]
            if p in self.windows:
                cotangent = cotangent + self.windows[p][0]
            known[value] = known[value] + cotangent if value in known else cotangent
        wrt = [
            *(self.seq_in[k] for k in float_seqs),
            *(self.tap_in[k] for s in self.float_states for k in info.inner_state_taps(s)),
            *(self._non_seq(k) for k in float_non_seqs),
        ]
        if not wrt or not known:
            return {}
        found = grad(
            None, wrt, known_grads=known, disconnected_inputs="ignore", return_disconnected="None"
        )
        return dict(zip(wrt, found, strict=True))

    def _shifted(self, s: int, i: int, found: dict[Variable, Variable | None]) -> Variable:
        """Pending gradient ``i`` of state ``s`` for the step before: the next older
        pending one, plus this step's gradient for the tap reaching back ``i + 1``."""
        info = self.forward_info
        terms = [self.windows[s][i + 1]] if i + 1 < info.init_length(s) else []
        taps = dict(zip(info.state_taps[s], info.inner_state_taps(s), strict=True))
        tap_grad = found.get(self.tap_in[taps[-(i + 1)]]) if -(i + 1) in taps else None
        if tap_grad is not None:
            terms.append(tap_grad)
        return _total(terms, self.out_grad_in[s])

    def info(self) -> ScanInfo:
        name = self.forward_info.name
        return ScanInfo(
            n_seqs=len(self.seq_in) + len(self.tap_in) + len(self.out_grad_in) + len(self.drawn_in),
            state_taps=((-1,),) * self.n_states,
            n_mapped=len(self.seq_grads),
            n_non_seqs=len(self.non_seq_in),
            name=f"grad_of_{name}" if name else "grad_of_scan",
        )

    def graph(self) -> InnerGraph:
        inputs = [
            *self.seq_in,
            *self.tap_in.values(),
            *self.out_grad_in.values(),
            *self.drawn_in,
            *(w for s in self.float_states for w in self.windows[s]),
            *(self.sums[k] for k in self.summed),
            *self.non_seq_in,
        ]
        return InnerGraph(inputs, [*self.new_windows, *self.new_sums, *self.new_seq_grads])


def _total(terms: list[Any], like: Variable) -> Variable:
    if not terms:
        return pt.zeros_like(like)
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return _as_type(total, like)


def _as_type(value: Variable, like: Variable) -> Variable:
    """``value`` with ``like``'s dtype and static shape, as a step output must have."""
    value = pt.as_tensor(value)
    target: Any = like.type
    if value.type.dtype != target.dtype:
        value = pt.cast(value, target.dtype)
    converted = target.convert_variable(value)
    return converted if converted is not None else pt.specify_shape(value, target.shape)


def _full_gradient(node: Apply, position: int, given: Any, forward: _Forward) -> Any:
    """The gradient of every entry of stored output ``position`` (the node may keep only
    the last ``store`` entries, whose gradient is ``given``)."""
    info: ScanInfo = node.op.info  # type: ignore[attr-defined]
    full = (
        forward.states[position]
        if position < info.n_states
        else forward.mapped[position - info.n_states]
    )
    if given is None:
        return pt.zeros_like(full)
    if info.store[position] is None:
        return pt.as_tensor(given)
    return pt.inc_subtensor(pt.zeros_like(full)[full.shape[0] - given.shape[0] :], given)


def _initial_gradient(
    node: Apply,
    s: int,
    full_grad: Any,
    pending: Sequence[Variable],
    complete: Variable | None,
) -> Variable:
    """The gradient of state ``s``'s initial buffer: the outer gradient of its entries plus
    what the first steps passed back (``pending[i]`` is for entry ``init_length - 1 - i``)."""
    info: ScanInfo = node.op.info  # type: ignore[attr-defined]
    length = info.init_length(s)
    passed_back = pt.stack(list(reversed(pending)))
    if complete is not None:  # a truncated backward loop did not reach the initial entries
        passed_back = passed_back * pt.cast(complete, passed_back.dtype)
    initial: Any = node.inputs[info.outer_states[s]]
    return pt.set_subtensor(pt.zeros_like(initial)[:length], full_grad[:length] + passed_back)


def _forward(node: Apply) -> _Forward:
    """The node's loop with every entry kept and carried draws recorded: the node itself
    when it already is that, else a second loop over the same inputs (the draws repeat,
    since they start from the same generator state)."""
    op: Scan = node.op  # type: ignore[assignment]
    info = op.info
    drawn = _drawn(op)
    outputs = list(node.outputs)
    if drawn or any(store is not None for store in info.store):
        n_stored = info.n_states + info.n_mapped
        inner_out = list(op.inner.outputs)
        full_info = ScanInfo(
            n_seqs=info.n_seqs,
            state_taps=info.state_taps,
            n_mapped=info.n_mapped + len(drawn),
            n_carries=info.n_carries,
            n_non_seqs=info.n_non_seqs,
            as_while=info.as_while,
            truncate_gradient=info.truncate_gradient,
            name=info.name,
        )
        full_inner = InnerGraph(
            op.inner.inputs, [*inner_out[:n_stored], *drawn, *inner_out[n_stored:]]
        )
        outputs = Scan(full_info, full_inner, op.mode)(*node.inputs)
        outputs = outputs if isinstance(outputs, list) else [outputs]
    states: list[Any] = outputs[: info.n_states]
    mapped: list[Any] = outputs[info.n_states : info.n_states + info.n_mapped]
    recorded = outputs[info.n_states + info.n_mapped : info.n_states + info.n_mapped + len(drawn)]
    if not info.as_while:
        n_done: Any = node.inputs[0]
    elif states:
        n_done = states[0].shape[0] - info.init_length(0)
    elif mapped:
        n_done = mapped[0].shape[0]
    else:
        n_done = node.inputs[0]
    return _Forward(states, mapped, recorded, drawn, pt.cast(n_done, "int64"))


def _drawn(op: Scan) -> list[Variable]:
    """Tensor values of the step computed by a node that reads carried state (a random
    draw reads its generator): they are recorded, not recomputed."""
    info = op.info
    carried = {op.inner.inputs[k] for k in info.inner_carries}
    drawn: list[Variable] = []
    for node in io_toposort(op.inner.inputs, op.inner.outputs):
        if not any(var in carried for var in node.inputs):
            continue
        for out in node.outputs:
            if isinstance(out.type, TensorType):
                drawn.append(out)
            else:
                carried.add(out)  # the generator's next state: what reads it draws too
    drawn += [var for var in carried if isinstance(var.type, TensorType) and var in op.inner.inputs]
    return drawn


def _check_no_carry_left(values: list[Variable], carries: list[Variable], op: Scan) -> None:
    from graphcore import ancestors

    if not carries:
        return
    left = set(carries) & set(ancestors(values))
    if left:
        raise ValueError(
            f"{op.label}: the gradient cannot recompute the step without its carried values "
            f"{sorted(map(str, left))}"
        )
