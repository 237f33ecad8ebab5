"""Paths through a Value graph: ∂output/∂input as a sum, over every path, of the product of the rates.

The multivariable chain rule, unrolled: each path from ``input`` to ``output`` follows one use
of a node after another (``x * x`` gives two edges from x, so two paths), and contributes the
product of the local derivatives along it. ``backward()`` adds up the same products without
listing them, by sharing every sub-sum (Nielsen, ch. 2, "the big picture"); ``count_paths``
shows how many there would be, counted by dynamic programming over the graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.autodiff import chain_term, topological_order
from engine.checks import count
from engine.value import Value


@dataclass(frozen=True)
class Path:
    """One path from an input to an output: its nodes, the rate on each edge, and their product."""

    nodes: tuple[Value, ...]  # from the input to the output
    rates: tuple[float, ...]  # rates[i] = ∂nodes[i+1]/∂nodes[i] for this use of nodes[i]
    positions: tuple[int, ...]  # positions[i]: which argument of nodes[i+1] nodes[i] is here

    @property
    def product(self) -> float:
        """The product of the rates (see ``product_of_rates``)."""
        return product_of_rates(self.rates)


def product_of_rates(rates: Sequence[float]) -> float:
    """The rates of a path multiplied from the output back, as backward() does (0 · inf is 0)."""
    total = 1.0
    for rate in reversed(rates):
        total = chain_term(rate, total)
    return total


def _check(output: object, input: object, who: str) -> None:
    for name, v in (("output", output), ("input", input)):
        if not isinstance(v, Value):
            raise TypeError(f"{who}: {name} must be a Value, got {type(v).__name__}: {v!r}")


def _counts(output: Value, input: Value) -> dict[Value, int]:
    """The number of paths from ``input`` to each node of output's graph (exact integers)."""
    counts: dict[Value, int] = {}
    for node in topological_order(output):
        counts[node] = 1 if node is input else sum(counts[p] for p in node.parents)
    return counts


def count_paths(output: Value, input: Value) -> int:
    """The number of paths from ``input`` to ``output``, each use of a node its own edge (no listing)."""
    _check(output, input, "count_paths")
    return _counts(output, input)[output]


def paths(output: Value, input: Value, limit: int | None = 10_000) -> list[Path]:
    """Every path from ``input`` to ``output``; ValueError (with the count) above ``limit`` paths.

    The products sum to ∂output/∂input as ``backward()`` gives it, up to rounding: the
    sum is taken in another order, and where products overflow to ±inf or hold nan the
    two can differ. ``input`` outside output's graph has no paths: [].
    """
    _check(output, input, "paths")
    if limit is not None:
        limit = count(limit, "paths: limit", least=0)
    counts = _counts(output, input)
    total = counts[output]
    if limit is not None and total > limit:
        raise ValueError(
            f"paths: there are {total} paths from the input to the output, more than "
            f"limit={limit}; count them with count_paths, or pass a larger limit"
        )
    rates = {node: node.local_grads for node in counts if counts[node]}
    found: list[Path] = []
    # Depth first from the output back through the parents that lie on a path, without
    # recursion: frames [node, position of the next parent to try]; positions[i] is the
    # argument of frame i's node that frame i + 1's node is.
    stack: list[list] = [[output, 0]]
    positions: list[int] = []
    while stack:
        frame = stack[-1]
        node, position = frame
        if node is not input and position < len(node.parents):
            frame[1] += 1
            if counts[node.parents[position]]:
                stack.append([node.parents[position], 0])
                positions.append(position)
            continue
        if node is input:
            users = [f[0] for f in stack[:-1]]
            found.append(
                Path(
                    tuple(f[0] for f in reversed(stack)),
                    tuple(rates[u][p] for u, p in zip(reversed(users), reversed(positions))),
                    tuple(reversed(positions)),
                )
            )
        stack.pop()
        if positions:
            positions.pop()
    return found
