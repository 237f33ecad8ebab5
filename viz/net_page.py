"""``step_through_net``: the δ recursion of a net, one layer (and one neuron of BP2) at a time."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from engine import Value
from engine.value import Number
from nn import matrix
from nn.network import MLP
from viz import drawing, net_layout
from viz.network import (
    Line,
    NetNumbers,
    check_net_size,
    draw_lines,
    line_text,
    net_lines,
    trace_numbers,
)
from viz.page import Frame, KeyEntry, StepPage, layouts, widest, write_page
from viz.value_page import signed

TOLERANCE = 1e-9  # engine against nn.matrix: the same sums in another order
KEY = [
    KeyEntry("the input a^1", fill=drawing.INPUT_FILL),
    KeyEntry(
        "z^l_j, with the bias b^l_j, the error δ^l_j = ∂C/∂z^l_j and ∂C/∂b^l_j", fill=drawing.Z_FILL
    ),
    KeyEntry("a^l_j = σ(z^l_j), with ∂C/∂a^l_j", fill=drawing.A_FILL),
    KeyEntry("the cost C", fill=drawing.COST_FILL),
    KeyEntry("a weight w^l_jk > 0", line=drawing.POSITIVE_WEIGHT),
    KeyEntry("a weight w^l_jk < 0", line=drawing.NEGATIVE_WEIGHT),
    KeyEntry("thicker: a larger |w^l_jk|", line="#555", width=4),
    KeyEntry("on a weight: its gradient, a^{l−1}_k δ^l_j (BP4)", sample="∂C/∂w ="),
    KeyEntry("on z → a: the slope σ'(z^l_j)", sample="σ' ="),
    KeyEntry("not known yet: the backward pass has not reached it", sample="?"),
    KeyEntry("what this step computes", state="current"),
    KeyEntry("what it is computed from", state="sending"),
    KeyEntry("BP2: the column of w^{l+1} the error comes back through", state="column"),
    KeyEntry("a grad that is known", state="final"),
]
MAX_EQUATION_TERMS = 6  # BP4 lists this many ∂C/∂w^l_jk, then "…"
MAX_PAGE_WEIGHTS = 400  # a 10-20-10 net; above it the picture is refused unless asked for


def softmax_jacobian(a: list[float]) -> list[list[float]]:
    """∂a_k/∂z_j = a_k (1[k = j] − a_j) of softmax's outputs a, as rows k."""
    return [[ak * ((k == j) - aj) for j, aj in enumerate(a)] for k, ak in enumerate(a)]


class _NetFrames:
    """Frames over one pass of a net: what is known grows step by step."""

    def __init__(self, n: NetNumbers, bp: matrix.Backprop, number_format: str, scripts: bool):
        self.n, self.bp = n, bp
        self.number_format, self.scripts = number_format, scripts
        self.known: set[tuple] = set()
        self.frames: list[Frame] = []

    def num(self, x: float) -> str:
        return signed(x, self.number_format)

    def text(self, plain: str) -> str:
        """A line in the page's notation, with true minus signs."""
        return drawing.scripted(plain) if self.scripts else plain

    def lines(self) -> dict[str, list[Line]]:
        """Every label's lines as far as the pass has got, numbers with true minus signs."""
        lines = net_lines(self.n, lambda key: key in self.known, self.number_format)
        return {
            eid: [(s, None if v is None else v.replace("-", "−")) for s, v in ls]
            for eid, ls in lines.items()
        }

    def check(self, engine: object, reference: object, what: str) -> str:
        """The line comparing the engine's numbers with nn.matrix's."""
        gap = float(np.max(np.abs(np.asarray(engine, float) - np.asarray(reference, float))))
        if gap <= TOLERANCE:
            return f"✓ nn.matrix gives the same {what}: max |difference| = {gap:.1e}"
        return f"✗ nn.matrix differs on {what}: max |difference| = {gap:.1e}"

    def add(
        self,
        title: str,
        caption: list[str],
        equation: list[str],
        classes: dict[str, str],
    ) -> None:
        lines = self.lines()
        texts = {
            eid: {i: self.text(line_text(line)) for i, line in enumerate(ls)}
            for eid, ls in lines.items()
        }
        for eid in texts:  # a wide layer's weights share one lane: only BP2's column is labelled
            if eid.startswith("w") and "column" not in classes.get(eid, ""):
                l = int(eid[1:].split("_")[0])
                if len(self.n.w[l - 2][0]) > net_layout.MAX_LANES:
                    texts[eid] = dict.fromkeys(texts[eid], "")
        for l in range(2, self.n.L + 1):
            for j in range(len(self.n.z[l - 2])):
                if ("delta", l, j) in self.known:
                    classes.setdefault(f"z{l}_{j}", "final")
                if ("grad_a", l, j) in self.known:
                    classes.setdefault(f"a{l}_{j}", "final")
        frame = Frame(
            self.text(title),
            [self.text(c) for c in caption],
            classes,
            texts,
            [self.text(e) for e in equation],
        )
        self.frames.append(frame)

    def forward(self) -> None:
        n = self.n
        a_L = [v for v in n.a[-1]]
        self.add(
            "The forward pass: from a^1 to the cost; nothing of the backward pass is known yet",
            [
                "Each layer computes z^l_j = Σ_k w^l_jk a^{l−1}_k + b^l_j and a^l_j = σ(z^l_j).",
                "Every δ and every ∂C/∂… shows ? until the reverse pass reaches it.",
            ],
            [
                "z^l = w^l a^{l−1} + b^l",
                "a^l = σ(z^l)",
                f"a^{n.L} = [{', '.join(map(self.num, a_L))}]",
                self.check(a_L, self.bp.a[-1], f"a^{n.L}"),
            ],
            {},
        )

    def cost(self) -> None:
        n, L = self.n, self.n.L
        assert n.cost is not None
        self.known.add(("cost",))
        outputs = range(len(n.z[-1]))
        into = "z" if n.from_z else "a"  # what C is computed from
        if not n.from_z:
            self.known.update(("grad_a", L, j) for j in outputs)
        classes = {"C": "current"}
        classes.update({f"c{j}": "sending" for j in outputs})
        classes.update({f"{into}{L}_{j}": "receiving" for j in outputs})
        grads = ", ".join(self.num(g) for g in (n.delta[-1] if n.from_z else n.grad_a[-1]))
        caption = [f"C compares the output a^{L} with the target y."]
        if n.from_z:
            caption.append(
                f"This cost is taken from z^{L} (it stays finite on a saturated sigmoid), "
                f"so the reverse pass starts at ∂C/∂z^{L}_j."
            )
        else:
            caption.append(f"Its gradient ∇_a C = ∂C/∂a^{L}_j is where the reverse pass starts.")
        self.add(
            f"The cost C = {self.num(n.cost)}, and how it changes with each output {into}^{L}_j",
            caption,
            [
                *n.cost_text,
                f"C = {self.num(n.cost)}",
                f"∂C/∂{into}^{L} = [{grads}]",
                self.check(n.cost, self.bp.cost, "cost C"),
            ],
            classes,
        )

    def bp1(self) -> None:
        n, L = self.n, self.n.L
        self.known.update(("delta", L, j) for j in range(len(n.z[-1])))
        sp = n.sigma_prime[-1]
        classes = {}
        if n.from_z:
            equation = [f"BP1 for this cost: {n.cost_text[-1].split(', so ')[-1]}"]
            explanation = f"The cost's own rule gives δ^{L} = ∂C/∂z^{L} directly (Nielsen ch. 3)."
        elif n.layerwise[-1]:
            equation = ["BP1 for a layer-wise σ: δ^L_j = Σ_k ∂C/∂a^L_k · ∂a^L_k/∂z^L_j"]
            if n.layerwise[-1] == "softmax":
                equation.append(
                    "softmax's Jacobian: ∂a^L_k/∂z^L_j = a^L_k (1 if k = j else 0 − a^L_j)"
                )
            explanation = (
                f"Each a^{L}_k of a {n.layerwise[-1]} layer depends on every z^{L}_j, so δ^{L}_j "
                "sums ∂C/∂a^L_k through the Jacobian ∂a^L/∂z^L (BP1 with ⊙ σ' replaced by it)."
            )
        else:
            equation = ["BP1: δ^L = ∇_a C ⊙ σ'(z^L)"]
            explanation = "It is ∂C/∂a^L_j times σ'(z^L_j), the slope of the activation" + (
                " (1 for a linear layer)." if sp is None else "."
            )
        for j, d in enumerate(n.delta[-1]):
            classes.update({f"z{L}_{j}": "current", f"a{L}_{j}": "sending"})
            classes[f"s{L}_{j}"] = "sending"
            if n.from_z:
                assert n.y is not None
                arithmetic = f"{self.num(n.a[-1][j])} − {self.num(n.y[j])}"
            elif n.layerwise[-1] == "softmax":
                jacobian = softmax_jacobian(n.a[-1])
                arithmetic = " + ".join(
                    f"{self.num(g)} × {self.num(jacobian[k][j])}"
                    for k, g in enumerate(n.grad_a[-1])
                )
            elif n.layerwise[-1]:
                arithmetic = f"Σ_k ∂C/∂a^{L}_k · ∂a^{L}_k/∂z^{L}_{j}"
            else:
                factor = "" if sp is None else f" × {self.num(sp[j])}"
                arithmetic = f"{self.num(n.grad_a[-1][j])}{factor}"
            equation.append(f"δ^{L}_{j} = {arithmetic} = {self.num(d)}")
        equation.append(self.check(n.delta[-1], self.bp.delta[-1], f"δ^{L}"))
        self.add(
            f"BP1: the output error δ^{L}",
            [
                f"δ^{L}_j = ∂C/∂z^{L}_j: how the cost changes with output neuron j's weighted input.",
                explanation,
            ],
            equation,
            classes,
        )

    def bp2(self, l: int, k: int) -> None:
        n = self.n
        self.known.update({("delta", l, k), ("grad_a", l, k)})
        nxt = n.delta[l - 1]  # δ^{l+1}, at position (l + 1) − 2
        w_next = n.w[l - 1]
        sp = n.sigma_prime[l - 2]
        classes = {f"z{l}_{k}": "current", f"a{l}_{k}": "final receiving", f"s{l}_{k}": "sending"}
        for j in range(len(nxt)):
            classes[f"w{l + 1}_{j}_{k}"] = "column"
            classes[f"z{l + 1}_{j}"] = "sending final"
        symbols = " + ".join(f"w^{l + 1}_{j}{k} δ^{l + 1}_{j}" for j in range(len(nxt)))
        numbers = " + ".join(
            f"{self.num(w_next[j][k])} × {self.num(nxt[j])}" for j in range(len(nxt))
        )
        if n.layerwise[l - 2]:
            self.bp2_layerwise(l, k, classes, symbols, numbers)
            return
        factor = "" if sp is None else f" × σ'(z^{l}_{k})"
        values = "" if sp is None else f" × {self.num(sp[k])}"
        through = f"σ'(z^{l}_{k}) scales it (the slope of σ at z^{l}_{k})"
        if sp is None:
            through = f"that sum is δ^{l}_{k} itself (a linear layer: σ' = 1)"
        self.add(
            f"BP2: δ^{l}_{k} from δ^{l + 1}, back through column {k} of w^{l + 1}",
            [
                f"Neuron {k} of layer {l} feeds every neuron j of layer {l + 1} through w^{l + 1}_j{k}:",
                f"its error collects each δ^{l + 1}_j back along those weights, then {through}.",
            ],
            [
                "BP2: δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ'(z^l)",
                f"δ^{l}_{k} = ({symbols}){factor}",
                f"= ({numbers}){values}",
                f"= {self.num(n.delta[l - 2][k])}",
                self.check(n.delta[l - 2][k], self.bp.delta[l - 2][k], f"δ^{l}_{k}"),
            ],
            classes,
        )

    def bp2_layerwise(
        self, l: int, k: int, classes: dict[str, str], symbols: str, numbers: str
    ) -> None:
        """BP2 into a layer whose σ maps all of z^l to a^l (softmax): through its Jacobian.

        δ^l_k needs every ∂C/∂a^l_m, so all of them are computed (and shown) at this step.
        """
        n = self.n
        size = len(n.z[l - 2])
        self.known.update(("grad_a", l, m) for m in range(size))
        grads = n.grad_a[l - 2]
        for m in range(size):
            classes.setdefault(f"a{l}_{m}", "sending final")
        name = n.layerwise[l - 2]
        equation = [
            "BP2 for a layer-wise σ: δ^l = (∂a^l/∂z^l)ᵀ (w^{l+1})ᵀ δ^{l+1}",
            f"∂C/∂a^{l}_{k} = {symbols} = {numbers} = {self.num(grads[k])}",
            f"∂C/∂a^{l} = [{', '.join(map(self.num, grads))}] (each m the same way)",
            f"δ^{l}_{k} = Σ_m ∂C/∂a^{l}_m · ∂a^{l}_m/∂z^{l}_{k}",
        ]
        if name == "softmax":
            jacobian = softmax_jacobian(n.a[l - 2])
            equation.append(
                f"∂a^{l}_m/∂z^{l}_{k} = a^{l}_m (1 if m = {k} else 0 − a^{l}_{k}) = "
                f"[{', '.join(self.num(jacobian[m][k]) for m in range(size))}]"
            )
            terms = " + ".join(
                f"{self.num(g)} × {self.num(jacobian[m][k])}" for m, g in enumerate(grads)
            )
            equation.append(f"= {terms}")
        equation += [
            f"= {self.num(n.delta[l - 2][k])}",
            self.check(n.delta[l - 2][k], self.bp.delta[l - 2][k], f"δ^{l}_{k}"),
        ]
        self.add(
            f"BP2: δ^{l}_{k} from δ^{l + 1}, back through column {k} of w^{l + 1} and {name}'s Jacobian",
            [
                f"Neuron {k} of layer {l} feeds every neuron j of layer {l + 1} through w^{l + 1}_j{k}, "
                f"so ∂C/∂a^{l}_{k} collects each δ^{l + 1}_j back along those weights.",
                f"Every a^{l}_m of a {name} layer depends on z^{l}_{k}: δ^{l}_{k} sums all the "
                f"∂C/∂a^{l}_m through the Jacobian ∂a^{l}/∂z^{l} (BP2 with ⊙ σ' replaced by it).",
            ],
            equation,
            classes,
        )

    def bp3(self, l: int) -> None:
        n = self.n
        self.known.add(("grad_b", l))
        classes = {f"z{l}_{j}": "current final" for j in range(len(n.z[l - 2]))}
        equation = ["BP3: ∂C/∂b^l_j = δ^l_j"]
        equation += [f"∂C/∂b^{l}_{j} = {self.num(g)}" for j, g in enumerate(n.grad_b[l - 2])]
        equation.append(self.check(n.grad_b[l - 2], self.bp.grad_b[l - 2], f"∂C/∂b^{l}"))
        self.add(
            f"BP3: the biases of layer {l}",
            [f"b^{l}_j enters z^{l}_j with slope 1, so its gradient is δ^{l}_j itself."],
            equation,
            classes,
        )

    def bp4(self, l: int) -> None:
        n = self.n
        self.known.add(("grad_w", l))
        classes = {f"a{l - 1}_{k}": "sending" for k in range(len(n.w[l - 2][0]))}
        classes.update({f"z{l}_{j}": "sending final" for j in range(len(n.z[l - 2]))})
        equation = ["BP4: ∂C/∂w^l_jk = a^{l−1}_k δ^l_j"]
        a_prev = n.x if l == 2 else n.a[l - 3]
        for j, row in enumerate(n.grad_w[l - 2]):
            for k, g in enumerate(row):
                classes[f"w{l}_{j}_{k}"] = "current"  # their gradients are what BP4 computes
                if len(equation) <= MAX_EQUATION_TERMS:
                    equation.append(
                        f"∂C/∂w^{l}_{j}{k} = {self.num(a_prev[k])} × "
                        f"{self.num(n.delta[l - 2][j])} = {self.num(g)}"
                    )
        if len(n.w[l - 2]) * len(a_prev) > MAX_EQUATION_TERMS:
            equation.append("…")
        equation.append(self.check(n.grad_w[l - 2], self.bp.grad_w[l - 2], f"∂C/∂w^{l}"))
        self.add(
            f"BP4: the weights of layer {l}",
            [
                f"w^{l}_jk multiplies a^{l - 1}_k on its way into z^{l}_j, so its gradient is "
                f"the activation it carries times the error it feeds.",
            ],
            equation,
            classes,
        )


def net_frames(
    n: NetNumbers, bp: matrix.Backprop, number_format: str, scripts: bool
) -> list[Frame]:
    """Forward, cost, BP1, BP2 neuron by neuron (layer L−1 down to 2), then BP3 and BP4 per layer."""
    f = _NetFrames(n, bp, number_format, scripts)
    f.forward()
    f.cost()
    f.bp1()
    for l in range(n.L - 1, 1, -1):
        for k in range(len(n.z[l - 2])):
            f.bp2(l, k)
    for l in range(n.L, 1, -1):
        f.bp3(l)
        f.bp4(l)
    last = f.frames[-1]
    last.caption.append("Every gradient of C is now known: the next SGD step uses them all.")
    return f.frames


def net_step_parts(
    net: MLP,
    x: Sequence[Value | Number],
    y: Sequence[Number],
    cost: str = "quadratic",
    number_format: str = ".3g",
    rankdir: str | None = "LR",
    scripts: bool = True,
) -> tuple[NetNumbers, matrix.Backprop, list[Frame], list[str]]:
    """The numbers of one pass (engine and nn.matrix), the frames over them and the SVG they dress."""
    n = trace_numbers(net, x, y, cost, "step_through_net")
    x_array = np.array([float(v) for v in x])
    bp = matrix.backprop(
        net.weights(), net.biases(), x_array, np.asarray(y, float), net.activations, cost
    )
    frames = net_frames(n, bp, number_format, scripts)
    lines = frame_lines(frames)
    pictures = layouts(rankdir, lambda d: draw_lines(n, lines, d, scripts, every_weight=True).svg())
    return n, bp, frames, pictures


def frame_lines(frames: list[Frame]) -> dict[str, list[Line]]:
    """Each label's lines at the widest text a frame puts there, so no frame overflows it."""
    return {
        eid: [(widest(frames, eid, i), None) for i in texts]
        for eid, texts in frames[0].texts.items()
    }


def step_through_net(
    net: MLP,
    x: Sequence[Value | Number],
    y: Sequence[Number],
    path: str | os.PathLike | None = None,
    cost: str = "quadratic",
    number_format: str = ".3g",
    rankdir: str | None = None,
    max_weights: int | None = MAX_PAGE_WEIGHTS,
    scripts: bool = True,
) -> StepPage:
    """A self-contained HTML page stepping through backpropagation in ``net`` on one example.

    On ``draw_net``'s picture: the cost, δ^L (BP1), each δ^l_k from δ^{l+1} through a
    column of w^{l+1} (BP2), then ∂C/∂b^l and ∂C/∂w^l (BP3, BP4), with the equation of
    each step beside the picture and every number checked against ``nn.matrix``.
    Written to ``path`` (``.html``) when given; shown inline in Jupyter. Nets of more than
    ``max_weights`` weights (400, a 10-20-10 net) raise GraphTooLargeError; in a layer of
    more than four inputs per neuron only the weights of BP2's column are labelled. With
    ``rankdir=None`` the page holds the picture left to right and top to bottom and shows
    the one its window shows larger ("LR" or "TB" gives that one only).
    """
    drawing.check_number_format(number_format)
    check_net_size(net, max_weights, "step_through_net")
    if y is None:
        raise ValueError("step_through_net: a target y is needed to backpropagate a cost")
    _, _, frames, pictures = net_step_parts(net, x, y, cost, number_format, rankdir, scripts)
    title = f"Backpropagation in a {'-'.join(map(str, net.sizes))} net, one step at a time"
    key = [replace(e, meaning=drawing.scripted(e.meaning)) if scripts else e for e in KEY]
    return write_page(title, pictures, frames, key, path)
