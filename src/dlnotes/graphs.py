"""Computation graphs as data, and pictures of them without graphviz.

:func:`graph_from_tensor` reads the graph that PyTorch records while computing a
tensor (``grad_fn`` and its ``next_functions``); :func:`graph_from_value` reads
the graph of a :class:`dlnotes.autograd.Value`. Both return a :class:`Graph`,
plain data that :func:`draw_graph` lays out in layers (inputs first, output last)
and draws with matplotlib.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

import torch
from torch import Tensor

from dlnotes._checks import check_axes, check_choice, check_int, type_error
from dlnotes._format import number_text
from dlnotes._toposort import topological_order
from dlnotes.autograd import Value

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "Graph",
    "GraphNode",
    "MAX_DRAWN_NODES",
    "draw_graph",
    "graph_from_tensor",
    "graph_from_value",
]

#: Most nodes :func:`draw_graph` draws: a larger picture is unreadable at page size
#: (the book's graphs have 7 to 30 nodes).
MAX_DRAWN_NODES = 200

# What a node is: an unnamed leaf tensor or input Value, a named parameter, a
# constant, an operation, an intermediate Value, or the output.
_NodeKind = Literal["leaf", "param", "const", "op", "value", "output"]
_KINDS: tuple[str, ...] = get_args(_NodeKind)

_STYLE = {  # kind: (face colour, edge colour)
    "leaf": ("#dbeafe", "#1d4ed8"),
    "param": ("#dcfce7", "#15803d"),
    "const": ("#f3f4f6", "#6b7280"),
    "op": ("#fef3c7", "#b45309"),
    "value": ("#ffffff", "#374151"),
    "output": ("#fee2e2", "#b91c1c"),
}


@dataclass(frozen=True)
class GraphNode:
    """One node of a :class:`Graph`.

    Attributes
    ----------
    id : int
        Position in ``Graph.nodes``.
    label : str
        The name shown in the box: a parameter name, an operation ("Mul", "*").
    kind : str
        One of "leaf", "param", "const", "op", "value" (an intermediate Value) or
        "output".
    shape : str, default=""
        The tensor's shape as text, such as "(2,)"; empty for operations and Values.
    detail : str, default=""
        Further lines of text, such as "data 2\\ngrad 1" for a Value.

    Raises
    ------
    TypeError
        If ``id`` is not an int or a text field not a str.
    ValueError
        If ``id`` is negative or ``kind`` unknown.
    """

    id: int
    label: str
    kind: Literal["leaf", "param", "const", "op", "value", "output"]
    shape: str = ""
    detail: str = ""

    def __post_init__(self) -> None:
        check_int(self.id, "id", minimum=0)
        for name in ("label", "shape", "detail"):
            if not isinstance(getattr(self, name), str):
                raise type_error(name, "a str", getattr(self, name))
        check_choice(self.kind, "kind", _KINDS)

    @property
    def text(self) -> str:
        """Text of the node's box, one line each for the label, the shape and the detail."""
        return "\n".join(part for part in (self.label, self.shape, self.detail) if part)


@dataclass(frozen=True)
class Graph:
    """A computation graph: nodes, in an order where every input comes before its uses.

    Attributes
    ----------
    nodes : tuple of GraphNode
        ``nodes[i].id == i``.
    edges : tuple of (int, int)
        ``(parent, child)``: the value flows from ``parent`` into ``child``, which
        comes later in ``nodes`` (so the graph has no cycle).

    Raises
    ------
    TypeError
        If ``nodes`` does not hold GraphNodes or ``edges`` pairs of ints.
    ValueError
        If a node's id is not its position, or an edge joins a missing node or
        points backwards (to an earlier node, or to itself).

    Examples
    --------
    >>> a = torch.tensor([2.0, 3.0], requires_grad=True)
    >>> print(graph_from_tensor((a * a).sum(), params={"a": a}))
    0 param  a (2,)
    1 op     Mul
    2 op     Sum
    3 output output ()
    edges: 0->1 0->1 1->2 2->3
    >>> Graph((GraphNode(0, "x", "leaf"),), ((0, 1),))
    Traceback (most recent call last):
    ...
    ValueError: edges[0] must join two of the 1 nodes (ids 0 to 0); received (0, 1)
    """

    nodes: tuple[GraphNode, ...]
    edges: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        for name in ("nodes", "edges"):
            value = getattr(self, name)
            if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
                expected = "a tuple of GraphNode" if name == "nodes" else "a tuple of (int, int)"
                raise type_error(name, expected, value)
            object.__setattr__(self, name, tuple(value))  # lists are accepted, kept as tuples
        for i, node in enumerate(self.nodes):
            if not isinstance(node, GraphNode):
                raise type_error(f"nodes[{i}]", "a GraphNode", node)
            if node.id != i:
                raise ValueError(
                    f"nodes[{i}].id must be {i}, its position in nodes; received {node.id}"
                )
        n = len(self.nodes)
        pairs = []
        for k, edge in enumerate(self.edges):
            name = f"edges[{k}]"
            if isinstance(edge, (str, bytes)) or not isinstance(edge, Sequence) or len(edge) != 2:
                raise type_error(name, "a pair (parent, child) of node ids", edge)
            p, c = (check_int(end, name) for end in edge)
            if not (0 <= p < n and 0 <= c < n):
                raise ValueError(
                    f"{name} must join two of the {n} nodes (ids 0 to {n - 1}); "
                    f"received {(p, c)}"
                )
            if p >= c:
                raise ValueError(
                    f"{name} must go from an earlier node to a later one (nodes are in "
                    f"topological order, inputs first, so a graph has no cycle); received {(p, c)}"
                )
            pairs.append((p, c))
        object.__setattr__(self, "edges", tuple(pairs))

    def __str__(self) -> str:
        lines = [f"{n.id} {n.kind:<6} {n.text.replace(chr(10), ' ')}" for n in self.nodes]
        lines.append("edges: " + " ".join(f"{p}->{c}" for p, c in self.edges))
        return "\n".join(lines)


def _op_name(fn: Any) -> str:
    """``MulBackward0`` -> ``Mul``: the autograd node's class name without the suffix."""
    return re.sub(r"Backwards?\d*$", "", type(fn).__name__) or type(fn).__name__


def _shape_text(t: Tensor) -> str:
    return str(tuple(t.shape))


def graph_from_tensor(t: Tensor, params: Mapping[str, Tensor] | None = None) -> Graph:
    """Read the graph PyTorch recorded to compute ``t``.

    Starting at ``t.grad_fn``, follow ``next_functions`` back to the leaves
    (``AccumulateGrad`` nodes, whose ``.variable`` is the leaf tensor). A node
    reached along several paths (a shared subexpression) appears once.
    Constants and tensors that do not require grad are not part of the graph.

    Parameters
    ----------
    t : Tensor
        The result of a computation on tensors that require grad.
    params : mapping of str to Tensor, optional
        Names for leaf tensors (and for ``t`` itself), matched by identity; named
        leaves have kind "param", others kind "leaf" with label "leaf".

    Returns
    -------
    Graph
        Leaves and operations in topological order, then the output node, labelled
        "output" (or its name in ``params``) with its shape.

    Raises
    ------
    TypeError
        If ``t`` is not a tensor or ``params`` does not map names to tensors.
    ValueError
        If ``t`` has no graph: no ``grad_fn`` and not a leaf that requires grad.

    Examples
    --------
    >>> a = torch.tensor([2.0, 3.0], requires_grad=True)
    >>> b = torch.tensor([6.0, 4.0], requires_grad=True)
    >>> Q = 3 * a**3 - b**2
    >>> g = graph_from_tensor(Q, params={"a": a, "b": b})
    >>> [n.label for n in g.nodes]
    ['a', 'Pow', 'Mul', 'b', 'Pow', 'Sub', 'output']
    >>> [n.kind for n in g.nodes]
    ['param', 'op', 'op', 'param', 'op', 'op', 'output']
    >>> g.edges
    ((0, 1), (1, 2), (3, 4), (2, 5), (4, 5), (5, 6))
    """
    if not isinstance(t, Tensor):
        raise TypeError(f"t must be a torch.Tensor; received {type(t).__name__}")
    names: dict[int, str] = {}
    if params is not None:
        if not isinstance(params, Mapping):
            raise TypeError(
                f"params must be a mapping of names to tensors; received {type(params).__name__}"
            )
        for name, p in params.items():
            if not isinstance(p, Tensor):
                raise TypeError(f"params[{name!r}] must be a tensor; received {type(p).__name__}")
            names[id(p)] = str(name)
    if t.grad_fn is None and not t.requires_grad:
        raise ValueError(
            "t has no autograd graph: expected a tensor computed from tensors with "
            "requires_grad=True (it has a grad_fn) or a leaf with requires_grad=True; received "
            f"a tensor of shape {tuple(t.shape)} with requires_grad=False (was it computed "
            "under torch.no_grad(), or from inputs without requires_grad=True?)"
        )

    def leaf_node(variable: Tensor, i: int) -> GraphNode:
        name = names.get(id(variable))
        if name is None:
            return GraphNode(i, "leaf", "leaf", _shape_text(variable))
        return GraphNode(i, name, "param", _shape_text(variable))

    if t.grad_fn is None:  # a leaf that requires grad: the graph is that leaf alone
        return Graph((leaf_node(t, 0),), ())

    # Each backward function after the functions of its inputs (no recursion).
    root: Any = t.grad_fn  # torch's Node type does not declare AccumulateGrad.variable
    order = topological_order(
        root, lambda fn: [nxt for nxt, _ in fn.next_functions if nxt is not None]
    )

    nodes: list[GraphNode] = []
    index: dict[Any, int] = {}
    for fn in order:
        i = len(nodes)
        index[fn] = i
        if type(fn).__name__ == "AccumulateGrad":
            nodes.append(leaf_node(fn.variable, i))
        else:
            nodes.append(GraphNode(i, _op_name(fn), "op"))
    edges = [
        (index[nxt], index[fn])
        for fn in order
        for nxt, _ in fn.next_functions
        if nxt is not None
    ]
    out = len(nodes)
    nodes.append(GraphNode(out, names.get(id(t), "output"), "output", _shape_text(t)))
    edges.append((index[t.grad_fn], out))
    return Graph(tuple(nodes), tuple(edges))


def graph_from_value(v: Value) -> Graph:
    """Read the graph of a :class:`dlnotes.autograd.Value`, micrograd style.

    Each Value becomes a node showing its label, data and grad; each operation
    becomes a separate node between its inputs and its result.

    Parameters
    ----------
    v : Value
        The output node.

    Returns
    -------
    Graph
        Nodes in topological order. Kinds: "leaf" (an input Value), "const" (a
        number promoted to a Value), "op", "value" (an intermediate result) and
        "output" (``v``).

    Raises
    ------
    TypeError
        If ``v`` is not a Value.

    Examples
    --------
    >>> from dlnotes.autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> L = a * b + 1
    >>> L.label = "L"
    >>> L.backward()
    >>> print(graph_from_value(L))
    0 leaf   a data 2 grad -3
    1 leaf   b data -3 grad 2
    2 op     *
    3 value  data -6 grad 1
    4 const  1 data 1 grad 1
    5 op     +
    6 output L data -5 grad 1
    edges: 0->2 1->2 2->3 3->5 4->5 5->6
    """
    if not isinstance(v, Value):
        raise TypeError(f"v must be a dlnotes.autograd.Value; received {type(v).__name__}")
    nodes: list[GraphNode] = []
    edges: list[tuple[int, int]] = []
    index: dict[Value, int] = {}
    for node in topological_order(v, lambda node: node.parents):
        detail = f"data {number_text(node.data)}\ngrad {number_text(node.grad)}"
        if node is v:
            kind: _NodeKind = "output"
        elif not node.parents:
            kind = "const" if node.op == "const" else "leaf"
        else:
            kind = "value"
        if node.parents:
            op = len(nodes)
            nodes.append(GraphNode(op, node.op, "op"))
            edges.extend((index[p], op) for p in node.parents)
        i = len(nodes)
        index[node] = i
        nodes.append(GraphNode(i, node.label, kind, detail=detail))
        if node.parents:
            edges.append((i - 1, i))
    return Graph(tuple(nodes), tuple(edges))


# --------------------------------------------------------------------------------------
# Layout: layers, then an order within each layer, in pure Python
# --------------------------------------------------------------------------------------


def _layers(graph: Graph) -> list[int]:
    """Each node's layer: one after its latest input, then moved up to its first use.

    ``Graph`` keeps inputs before their uses, so one pass in node order gives the
    longest-path layers; a pass in reverse order then puts every node just before
    its earliest use, so that an input (or a constant) used only near the end is
    drawn there, not at the far left with a long edge.
    """
    n = len(graph.nodes)
    children: list[list[int]] = [[] for _ in range(n)]
    layer = [0] * n
    for p, c in sorted(graph.edges, key=lambda edge: edge[1]):
        children[p].append(c)
        layer[c] = max(layer[c], layer[p] + 1)
    for i in reversed(range(n)):
        if children[i]:
            layer[i] = min(layer[c] for c in children[i]) - 1
    return layer


def _order(rows: list[list[int]], edges: list[tuple[int, int]], sweeps: int = 4) -> None:
    """Order each layer by the mean position of its neighbours (barycentric sweeps).

    Sweeps alternate: down (each layer after the one before) and up. This removes
    most edge crossings at a cost of O(V log V) per sweep; the rows are sorted in place.
    """
    up: dict[int, list[int]] = {v: [] for row in rows for v in row}
    down: dict[int, list[int]] = {v: [] for row in rows for v in row}
    for p, c in edges:
        up[c].append(p)
        down[p].append(c)
    for sweep in range(sweeps):
        downward = sweep % 2 == 0
        sequence = range(1, len(rows)) if downward else range(len(rows) - 2, -1, -1)
        for k in sequence:
            pos = {v: i for i, v in enumerate(rows[k - 1] if downward else rows[k + 1])}
            here = {v: i for i, v in enumerate(rows[k])}

            def barycenter(v: int) -> float:
                nbrs = [pos[u] for u in (up[v] if downward else down[v])]
                return sum(nbrs) / len(nbrs) if nbrs else float(here[v])

            rows[k].sort(key=lambda v: (barycenter(v), here[v]))


_Box = tuple[float, float, float, float]
_Point = tuple[float, float]


def _layout(
    graph: Graph, rankdir: str, fontsize: float
) -> tuple[dict[int, _Box], list[list[_Point]], float, float]:
    """Place the boxes (centre x, centre y, width, height, in inches) and edge paths.

    Returns the boxes by node id, one path (a list of points) per edge, and the
    width and height of the drawing, whose lower left corner is at (0, 0).
    """
    layer = _layers(graph)
    # Long edges get a dummy vertex in every layer they cross, so that the ordering
    # sees them and their paths bend around boxes instead of through them.
    vlayer = {i: layer[i] for i in range(len(graph.nodes))}
    vedges: list[tuple[int, int]] = []
    chains: list[list[int]] = []
    next_id = len(graph.nodes)
    for p, c in graph.edges:
        chain = [p]
        for k in range(layer[p] + 1, layer[c]):
            vlayer[next_id] = k
            chain.append(next_id)
            next_id += 1
        chain.append(c)
        chains.append(chain)
        vedges.extend(zip(chain[:-1], chain[1:]))
    rows: list[list[int]] = [[] for _ in range(max(vlayer.values()) + 1)]
    for v in sorted(vlayer):
        rows[vlayer[v]].append(v)
    _order(rows, vedges)

    char_w = 0.62 * fontsize / 72  # monospace advance, in inches
    line_h = 1.25 * fontsize / 72
    size: dict[int, tuple[float, float]] = {}
    for v in vlayer:
        if v < len(graph.nodes):
            lines = graph.nodes[v].text.split("\n") or [""]
            w = max(len(s) for s in lines) * char_w + 0.2
            size[v] = (max(w, 0.45), len(lines) * line_h + 0.14)
        else:
            size[v] = (0.0, 0.0)
    horizontal = rankdir in ("LR", "RL")
    gap_rank, gap_within = (0.45, 0.22) if horizontal else (0.4, 0.25)
    # Along the rank axis: each layer is as deep as its deepest box.
    depth = [max((size[v][0 if horizontal else 1] for v in row), default=0.0) for row in rows]
    rank_pos, offset = [], 0.0
    for d in depth:
        rank_pos.append(offset + d / 2)
        offset += d + gap_rank
    extent_rank = offset - gap_rank
    # Across: the boxes of a layer stacked and centred.
    across: dict[int, float] = {}
    for row in rows:
        widths = [size[v][1 if horizontal else 0] for v in row]
        total = sum(widths) + gap_within * (len(row) - 1)
        a = -total / 2
        for v, w in zip(row, widths):
            across[v] = a + w / 2
            a += w + gap_within

    def point(v: int) -> tuple[float, float]:
        r, s = rank_pos[vlayer[v]], across[v]
        if rankdir == "LR":
            return r, -s
        if rankdir == "RL":
            return extent_rank - r, -s
        if rankdir == "TB":
            return s, extent_rank - r
        return s, r  # "BT"

    boxes = {}
    for v in range(len(graph.nodes)):
        x, y = point(v)
        boxes[v] = (x, y, size[v][0], size[v][1])
    paths = []
    for chain in chains:
        pts = [point(v) for v in chain]
        pts[0] = _port(boxes[chain[0]], rankdir, out=True)
        pts[-1] = _port(boxes[chain[-1]], rankdir, out=False)
        paths.append(pts)
    # Shift everything (boxes and the bends of long edges) to start at (0, 0).
    xs = [x + s * w / 2 for x, _, w, _ in boxes.values() for s in (-1, 1)]
    ys = [y + s * h / 2 for _, y, _, h in boxes.values() for s in (-1, 1)]
    xs += [x for pts in paths for x, _ in pts]
    ys += [y for pts in paths for _, y in pts]
    x0, y0 = min(xs), min(ys)
    boxes = {v: (x - x0, y - y0, w, h) for v, (x, y, w, h) in boxes.items()}
    paths = [[(x - x0, y - y0) for x, y in pts] for pts in paths]
    return boxes, paths, max(xs) - x0, max(ys) - y0


def _port(box: _Box, rankdir: str, out: bool) -> _Point:
    """Where an edge leaves (``out``) or enters a box: the middle of the facing side."""
    x, y, w, h = box
    sign = 1 if out else -1
    if rankdir == "LR":
        return x + sign * w / 2, y
    if rankdir == "RL":
        return x - sign * w / 2, y
    if rankdir == "TB":
        return x, y - sign * h / 2
    return x, y + sign * h / 2


def draw_graph(
    root: Tensor | Value | Graph,
    ax: Axes | None = None,
    params: Mapping[str, Tensor] | None = None,
    rankdir: str = "LR",
) -> Figure:
    """Draw a computation graph: rounded boxes in layers, coloured by kind, with arrows.

    The layout is computed here, in pure Python: longest-path layers (inputs
    first), then a few barycentric sweeps to order each layer with few crossings.
    The same graph always gives the same picture. Graphs of more than
    :data:`MAX_DRAWN_NODES` nodes are refused: they would not be readable.

    Parameters
    ----------
    root : Tensor, Value or Graph
        A tensor (read with :func:`graph_from_tensor`), a Value (read with
        :func:`graph_from_value`) or a graph.
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure sized to the graph, with a white
        background. The new figure is not registered with pyplot: return it from a
        notebook cell to show it, or call ``fig.savefig``.
    params : mapping of str to Tensor, optional
        Names for the leaves of a tensor's graph (see :func:`graph_from_tensor`).
    rankdir : {"LR", "RL", "TB", "BT"}, default="LR"
        The direction of flow: left to right, right to left, top to bottom or
        bottom to top.

    Returns
    -------
    matplotlib Figure
        The figure drawn on (``ax.figure`` if ``ax`` is given).

    Raises
    ------
    TypeError
        If ``root`` is none of the accepted types.
    TypeError
        If ``ax`` is not a matplotlib Axes.
    ValueError
        If ``rankdir`` is unknown, ``params`` is given for a Value or Graph, the
        tensor has no graph, or the graph has no nodes or more than
        :data:`MAX_DRAWN_NODES`.

    Examples
    --------
    >>> a = torch.tensor([2.0, 3.0], requires_grad=True)
    >>> b = torch.tensor([6.0, 4.0], requires_grad=True)
    >>> Q = 3 * a**3 - b**2
    >>> fig = draw_graph(Q, params={"a": a, "b": b})
    >>> ax = fig.axes[0]
    >>> len(ax.texts), len(ax.patches)      # 7 boxes with text; 7 boxes + 6 arrows
    (7, 13)
    >>> sorted(t.get_text().split("\\n")[0] for t in ax.texts)
    ['Mul', 'Pow', 'Pow', 'Sub', 'a', 'b', 'output']
    """
    check_choice(rankdir, "rankdir", ("LR", "RL", "TB", "BT"))
    ax = check_axes(ax)
    if isinstance(root, Tensor):
        graph = graph_from_tensor(root, params)
    elif isinstance(root, (Value, Graph)):
        if params is not None:
            raise ValueError(
                "params names the leaves of a tensor's graph; received params with a "
                f"root of type {type(root).__name__}"
            )
        graph = graph_from_value(root) if isinstance(root, Value) else root
    else:
        raise TypeError(
            f"root must be a torch.Tensor, a dlnotes.autograd.Value or a Graph; "
            f"received {type(root).__name__}"
        )

    if not graph.nodes:
        raise ValueError("root must be a graph with at least one node; received an empty Graph")
    if len(graph.nodes) > MAX_DRAWN_NODES:
        raise ValueError(
            f"root must have at most {MAX_DRAWN_NODES} nodes to be drawn readably; received "
            f"a graph of {len(graph.nodes)} nodes (draw a smaller example, or read the "
            "Graph as data: graph_from_tensor, graph_from_value)"
        )

    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    fontsize = 9.0
    boxes, paths, width, height = _layout(graph, rankdir, fontsize)
    margin = 0.15
    full_w, full_h = width + 2 * margin, height + 2 * margin  # inches at full size
    if ax is None:
        scale = min(1.0, 10.0 / full_w)  # keep very wide graphs on a page
        fig = Figure(figsize=(full_w * scale, full_h * scale), facecolor="white")
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    else:
        fig = ax.figure  # type: ignore[assignment]
        box = ax.get_window_extent()  # shrink the text if the axes are too small
        scale = min(1.0, box.width / fig.dpi / full_w, box.height / fig.dpi / full_h)
    fontsize *= scale
    ax.set_facecolor("white")
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_xlim(-margin, width + margin)
    ax.set_ylim(-margin, height + margin)

    for pts in paths:
        if len(pts) > 2:  # the bends of a long edge, then the arrow on its last leg
            ax.plot(
                [p[0] for p in pts[:-1]],
                [p[1] for p in pts[:-1]],
                color="#4b5563",
                linewidth=1.0 * scale,
                solid_capstyle="round",
            )
        ax.add_patch(
            FancyArrowPatch(
                pts[-2],
                pts[-1],
                arrowstyle="-|>",
                mutation_scale=10 * scale,
                color="#4b5563",
                linewidth=1.0 * scale,
                shrinkA=0,
                shrinkB=0,
            )
        )
    for node in graph.nodes:
        x, y, w, h = boxes[node.id]
        face, edge = _STYLE[node.kind]
        ax.add_patch(
            FancyBboxPatch(
                (x - w / 2, y - h / 2),
                w,
                h,
                boxstyle="round,pad=0,rounding_size=0.07",
                facecolor=face,
                edgecolor=edge,
                linewidth=1.2 * scale,
                zorder=2,
            )
        )
        ax.text(
            x,
            y,
            node.text,
            ha="center",
            va="center",
            fontsize=fontsize,
            family="monospace",
            color="#111827",
            zorder=3,
            linespacing=1.25,
        )
    return fig
