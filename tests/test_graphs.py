"""Tests of dlnotes.graphs: graphs read from torch and from the Value engine, the
layout, and deterministic drawings."""

from __future__ import annotations

import io
import itertools
import time

import numpy as np
import pytest
import torch

from dlnotes.autograd import Value
from dlnotes.graphs import (
    MAX_DRAWN_NODES,
    Graph,
    GraphNode,
    _layers,
    _layout,
    _op_name,
    _order,
    draw_graph,
    graph_from_tensor,
    graph_from_value,
)


def q_example() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    a = torch.tensor([2.0, 3.0], requires_grad=True)
    b = torch.tensor([6.0, 4.0], requires_grad=True)
    return 3 * a**3 - b**2, a, b


def labels(g: Graph) -> list[str]:
    return [n.label for n in g.nodes]


# ---------------------------------------------------------------------------------------
# graph_from_tensor
# ---------------------------------------------------------------------------------------


def test_q_graph_nodes_edges_labels() -> None:
    Q, a, b = q_example()
    g = graph_from_tensor(Q, params={"a": a, "b": b})
    assert len(g.nodes) == 7 and len(g.edges) == 6
    assert sorted(labels(g)) == sorted(["a", "b", "Pow", "Pow", "Mul", "Sub", "output"])
    kinds = {n.label: n.kind for n in g.nodes}
    assert kinds["a"] == kinds["b"] == "param"
    assert kinds["Mul"] == kinds["Sub"] == "op"
    assert kinds["output"] == "output"
    shapes = {n.label: n.shape for n in g.nodes}
    assert shapes["a"] == shapes["b"] == shapes["output"] == "(2,)"
    assert shapes["Mul"] == ""
    assert all(n.id == i for i, n in enumerate(g.nodes))
    # every node comes after its inputs; the output last, fed by Sub
    assert all(p < c for p, c in g.edges)
    assert g.nodes[-1].kind == "output"
    assert g.nodes[g.edges[-1][0]].label == "Sub"
    # the structure: a -> Pow -> Mul -> Sub, b -> Pow -> Sub
    by_label = {(g.nodes[p].label, g.nodes[c].label) for p, c in g.edges}
    assert by_label == {
        ("a", "Pow"),
        ("Pow", "Mul"),
        ("b", "Pow"),
        ("Mul", "Sub"),
        ("Pow", "Sub"),
        ("Sub", "output"),
    }


def test_unnamed_leaves_and_named_output() -> None:
    Q, a, b = q_example()
    g = graph_from_tensor(Q)
    leaves = [n for n in g.nodes if n.kind == "leaf"]
    assert [n.label for n in leaves] == ["leaf", "leaf"]
    assert not any(n.kind == "param" for n in g.nodes)
    g = graph_from_tensor(Q, params={"a": a, "Q": Q})
    assert labels(g).count("leaf") == 1 and "a" in labels(g)
    assert g.nodes[-1].label == "Q" and g.nodes[-1].kind == "output"


def test_shared_subexpressions_appear_once() -> None:
    a = torch.tensor(1.5, requires_grad=True)
    b = torch.tensor(-0.5, requires_grad=True)
    c = a * b
    d = c + c.exp() + c * c
    g = graph_from_tensor(d, params={"a": a, "b": b})
    assert labels(g).count("a") == 1 and labels(g).count("b") == 1
    mul_ids = [n.id for n in g.nodes if n.label == "Mul"]
    assert len(mul_ids) == 2  # c = a * b and c * c
    c_id = min(mul_ids)  # c comes first: it is an input of the other
    uses = [child for parent, child in g.edges if parent == c_id]
    assert len(uses) == 4  # into Add, Exp and twice into the second Mul
    assert len(g.nodes) == 8  # a, b, Mul, Exp, Add, Mul, Add, output


def test_backward1_suffix_and_constants() -> None:
    x = torch.tensor([1.0, 5.0, 2.0], requires_grad=True)
    g = graph_from_tensor((x * torch.ones(3)).max(), params={"x": x})
    assert labels(g) == ["x", "Mul", "Max", "output"]  # MaxBackward1; the constant is left out
    assert g.nodes[-1].shape == "()"

    class SomethingBackward1:
        pass

    class CopyBackwards:
        pass

    assert _op_name(SomethingBackward1()) == "Something"
    assert _op_name(CopyBackwards()) == "Copy"


def test_a_leaf_alone_and_a_tensor_without_a_graph() -> None:
    a = torch.ones(2, 3, requires_grad=True)
    g = graph_from_tensor(a, params={"a": a})
    assert g.nodes == (GraphNode(0, "a", "param", "(2, 3)"),) and g.edges == ()
    with pytest.raises(ValueError, match="t has no autograd graph.*requires_grad=False"):
        graph_from_tensor(torch.ones(2))
    with torch.no_grad():
        y = a * 2
    with pytest.raises(ValueError, match="no_grad"):
        graph_from_tensor(y)
    with pytest.raises(ValueError, match="no autograd graph"):
        draw_graph(y)
    with pytest.raises(TypeError, match="t must be a torch.Tensor; received list"):
        graph_from_tensor([1.0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"params\['a'\] must be a tensor; received float"):
        graph_from_tensor(a * 2, params={"a": 1.0})  # type: ignore[dict-item]


def test_an_mlp_graph() -> None:
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    loss = torch.nn.functional.mse_loss(net(torch.randn(5, 3)), torch.randn(5, 1))
    g = graph_from_tensor(loss, params=dict(net.named_parameters()))
    names = {n.label for n in g.nodes if n.kind == "param"}
    assert names == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert {n.shape for n in g.nodes if n.label == "0.weight"} == {"(4, 3)"}
    assert "Relu" in labels(g) and "MseLoss" in labels(g)


# ---------------------------------------------------------------------------------------
# graph_from_value
# ---------------------------------------------------------------------------------------


def test_value_graph() -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    L = c + c.tanh() + 1
    L.label = "L"
    L.backward()
    g = graph_from_value(L)
    kinds = [n.kind for n in g.nodes]
    assert kinds.count("leaf") == 2 and kinds.count("const") == 1
    assert kinds.count("output") == 1 and g.nodes[-1].label == "L"
    assert sorted(n.label for n in g.nodes if n.kind == "op") == ["*", "+", "+", "tanh"]
    assert labels(g).count("c") == 1  # used twice, drawn once
    c_id = labels(g).index("c")
    assert len([1 for p, _ in g.edges if p == c_id]) == 2
    assert g.nodes[labels(g).index("a")].detail == "data 2\ngrad -3"
    # each op node has one edge out, to its result, and as many in as the op has inputs
    for n in g.nodes:
        if n.kind == "op":
            ins = [p for p, ch in g.edges if ch == n.id]
            outs = [ch for p, ch in g.edges if p == n.id]
            assert len(outs) == 1 and len(ins) == (1 if n.label == "tanh" else 2)
    assert all(p < c for p, c in g.edges)
    with pytest.raises(TypeError, match="v must be a dlnotes.autograd.Value; received float"):
        graph_from_value(1.0)  # type: ignore[arg-type]


def test_value_graph_of_a_single_leaf() -> None:
    g = graph_from_value(Value(1.0, label="x"))
    assert len(g.nodes) == 1 and g.edges == () and g.nodes[0].kind == "output"


# ---------------------------------------------------------------------------------------
# Layout and drawing
# ---------------------------------------------------------------------------------------


def _graphs() -> list[Graph]:
    Q, a, b = q_example()
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    out = (x * w + x.exp() * 0.5).tanh() - x
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    loss = torch.nn.functional.mse_loss(net(torch.randn(5, 3)), torch.randn(5, 1))
    return [
        graph_from_tensor(Q, params={"a": a, "b": b}),
        graph_from_value(out),
        graph_from_tensor(loss, params=dict(net.named_parameters())),
    ]


def _overlap(p: tuple[float, float, float, float], q: tuple[float, float, float, float]) -> bool:
    return abs(p[0] - q[0]) * 2 < p[2] + q[2] and abs(p[1] - q[1]) * 2 < p[3] + q[3]


@pytest.mark.parametrize("rankdir", ["LR", "RL", "TB", "BT"])
def test_layout_flows_one_way_without_overlaps(rankdir: str) -> None:
    for g in _graphs():
        boxes, paths, width, height = _layout(g, rankdir, 9.0)
        assert set(boxes) == set(range(len(g.nodes)))
        assert len(paths) == len(g.edges)
        for i, j in itertools.combinations(boxes, 2):
            assert not _overlap(boxes[i], boxes[j]), (rankdir, g.nodes[i], g.nodes[j])
        axis, sign = {"LR": (0, 1), "RL": (0, -1), "TB": (1, -1), "BT": (1, 1)}[rankdir]
        for p, c in g.edges:
            assert sign * (boxes[c][axis] - boxes[p][axis]) > 0, (rankdir, p, c)
        xs = [x + s * w / 2 for x, _, w, _ in boxes.values() for s in (-1, 1)]
        ys = [y + s * h / 2 for _, y, _, h in boxes.values() for s in (-1, 1)]
        xs += [x for pts in paths for x, _ in pts]
        ys += [y for pts in paths for _, y in pts]
        assert min(xs) == pytest.approx(0.0) and max(xs) == pytest.approx(width)
        assert min(ys) == pytest.approx(0.0) and max(ys) == pytest.approx(height)


def test_layout_is_layered_by_longest_path() -> None:
    g = Graph(
        nodes=tuple(GraphNode(i, f"n{i}", "op") for i in range(4)),
        edges=((0, 1), (1, 2), (0, 2), (2, 3)),
    )
    boxes, _, _, _ = _layout(g, "LR", 9.0)
    xs = [boxes[i][0] for i in range(4)]
    assert xs == sorted(xs) and len(set(xs)) == 4  # four layers: 0 -> 1 -> 2 -> 3
    assert _layers(g) == [0, 1, 2, 3]


def test_sources_sit_next_to_their_first_use() -> None:
    # x -> exp -> * <- 0.5 (a constant used late): the constant moves up to the "*" layer
    x = Value(2.0, label="x")
    g = graph_from_value(x.exp().tanh() * 0.5)
    layer = _layers(g)
    for node in g.nodes:
        children = [c for p, c in g.edges if p == node.id]
        if not any(c == node.id for _, c in g.edges) and children:
            assert layer[node.id] == min(layer[c] for c in children) - 1, node
    const = next(n.id for n in g.nodes if n.kind == "const")
    assert layer[const] > 0


def _crossings(rows: list[list[int]], edges: list[tuple[int, int]]) -> int:
    """Pairs of edges between adjacent rows that cross (written here, not in the package)."""
    pos = {v: (k, i) for k, row in enumerate(rows) for i, v in enumerate(row)}
    segs = [(pos[p], pos[c]) for p, c in edges]
    return sum(
        1
        for (a1, b1), (a2, b2) in itertools.combinations(segs, 2)
        if a1[0] == a2[0] and (a1[1] - a2[1]) * (b1[1] - b2[1]) < 0
    )


def test_barycentric_ordering_removes_crossings() -> None:
    edges = [(0, 5), (1, 3), (2, 4)]
    rows = [[0, 1, 2], [3, 4, 5]]
    assert _crossings(rows, edges) == 2
    _order(rows, edges)
    assert rows == [[0, 1, 2], [5, 3, 4]]
    assert _crossings(rows, edges) == 0
    edges = [(0, 3), (1, 2), (2, 4), (3, 4)]  # a crossing two layers from the sink
    rows = [[0, 1], [2, 3], [4]]
    assert _crossings(rows, edges) == 1
    _order(rows, edges)
    assert _crossings(rows, edges) == 0
    assert sorted(rows[0]) == [0, 1] and sorted(rows[1]) == [2, 3]
    _order(rows, edges, sweeps=0)  # no sweep, no change: the sweeps did the work
    assert _crossings([[0, 1], [2, 3], [4]], edges) == 1


def test_drawn_edges_cross_rarely() -> None:
    # the Q and MLP graphs can be drawn without crossings; the heuristic (barycentric
    # sweeps, then adjacent swaps) leaves one in the Value graph, where x feeds three ops
    for g, allowed in zip(_graphs(), [0, 1, 0]):
        _, paths, _, _ = _layout(g, "LR", 9.0)
        segments = [seg for pts in paths for seg in zip(pts, pts[1:])]
        crossings = [
            (s, t)
            for s, t in itertools.combinations(segments, 2)
            if not set(s) & set(t)  # segments sharing an end (a port) do not cross
            and _segments_cross(*s, *t)
        ]
        assert len(crossings) <= allowed, crossings


def _segments_cross(
    p1: tuple[float, float],
    p2: tuple[float, float],
    q1: tuple[float, float],
    q2: tuple[float, float],
) -> bool:
    def orient(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    return (
        orient(p1, p2, q1) * orient(p1, p2, q2) < -1e-12
        and orient(q1, q2, p1) * orient(q1, q2, p2) < -1e-12
    )


def _svg(fig: object) -> bytes:
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "dlnotes"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})  # type: ignore[attr-defined]
    return buf.getvalue()


def test_drawings_are_deterministic() -> None:
    Q1, a1, b1 = q_example()
    Q2, a2, b2 = q_example()
    svg1 = _svg(draw_graph(Q1, params={"a": a1, "b": b1}))
    svg2 = _svg(draw_graph(Q2, params={"a": a2, "b": b2}))
    assert svg1 == svg2
    assert b"<svg" in svg1
    # and the picture depends on the graph: another one gives other bytes
    svg3 = _svg(draw_graph(Q1))
    assert svg3 != svg1


def test_drawing_contents_and_colours() -> None:
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    Q, a, b = q_example()
    fig = draw_graph(Q, params={"a": a, "b": b})
    assert isinstance(fig, Figure)
    assert fig.get_facecolor() == (1.0, 1.0, 1.0, 1.0)  # white: readable in dark themes
    (ax,) = fig.axes
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(boxes) == 7 and len(arrows) == 6
    texts = {t.get_text(): t for t in ax.texts}
    assert set(texts) == {"a\n(2,)", "b\n(2,)", "Pow", "Mul", "Sub", "output\n(2,)"}
    colour = {t.get_text(): box.get_facecolor() for t, box in zip(ax.texts, boxes)}
    assert colour["a\n(2,)"] == colour["b\n(2,)"]
    assert len({colour["a\n(2,)"], colour["Mul"], colour["output\n(2,)"]}) == 3
    assert colour["Pow"] == colour["Mul"] == colour["Sub"]


def test_draw_value_graph_into_given_axes_and_other_directions() -> None:
    from matplotlib.figure import Figure

    x = Value(2.0, label="x")
    y = (x * x).relu()
    y.backward()
    fig = Figure()
    ax = fig.add_subplot()
    assert draw_graph(y, ax=ax) is fig
    assert len(ax.texts) == 5  # x, *, x*x, relu, y
    tb = draw_graph(graph_from_value(y), rankdir="TB")
    w, h = tb.get_size_inches()
    assert h > w  # top to bottom is tall


def test_draw_graph_checks_arguments() -> None:
    Q, a, b = q_example()
    with pytest.raises(ValueError, match=r"rankdir must be one of 'LR', 'RL', 'TB', 'BT'; received 'X"):
        draw_graph(Q, rankdir="XY")
    with pytest.raises(ValueError, match="params names the leaves of a tensor's graph"):
        draw_graph(Value(1.0), params={"a": a})
    with pytest.raises(TypeError, match="root must be a torch.Tensor, a dlnotes.*received int"):
        draw_graph(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one node"):
        draw_graph(Graph((), ()))


def test_wide_graphs_are_scaled_to_fit_a_page() -> None:
    x = Value(0.5, label="x")
    y = x
    for _ in range(40):
        y = y.tanh()
    fig = draw_graph(y)
    assert fig.get_size_inches()[0] == pytest.approx(10.0)


# ---------------------------------------------------------------------------------------
# Graph contents are checked when the graph is made; big graphs are refused by name
# ---------------------------------------------------------------------------------------


def _node(i: int, kind: str = "op") -> GraphNode:
    return GraphNode(i, f"n{i}", kind)  # type: ignore[arg-type]


def test_graph_contents_are_checked_at_construction() -> None:
    two = (_node(0), _node(1))
    with pytest.raises(TypeError, match=r"nodes must be a tuple of GraphNode; received 'abc'"):
        Graph("abc", ())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"edges must be a tuple of \(int, int\); received None"):
        Graph(two, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"nodes\[1\] must be a GraphNode; received 'x' \(str\)"):
        Graph((_node(0), "x"), ())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"nodes\[0\].id must be 0, its position in nodes; received 7"):
        Graph((_node(7),), ())
    with pytest.raises(ValueError, match=r"edges\[1\] must join two of the 2 nodes \(ids 0 to 1\); received \(0, 3\)"):
        Graph(two, ((0, 1), (0, 3)))
    with pytest.raises(ValueError, match=r"edges\[0\] must join two.*received \(-1, 1\)"):
        Graph(two, ((-1, 1),))
    with pytest.raises(ValueError, match=r"edges\[0\] must go from an earlier node.*cycle.*\(1, 0\)"):
        Graph(two, ((1, 0),))
    with pytest.raises(ValueError, match=r"edges\[0\] must go from an earlier node.*\(1, 1\)"):
        Graph(two, ((1, 1),))
    with pytest.raises(TypeError, match=r"edges\[0\] must be a pair \(parent, child\)"):
        Graph(two, ((0, 1, 1),))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"edges\[0\] must be an int"):
        Graph(two, ((0, 1.0),))  # type: ignore[arg-type]
    g = Graph([_node(0), _node(1)], [[0, 1]])  # type: ignore[arg-type]  # lists become tuples
    assert g.nodes == two and g.edges == ((0, 1),)
    assert Graph(two, ((np.int64(0), 1),)).edges == ((0, 1),)


def test_graph_nodes_are_checked() -> None:
    with pytest.raises(ValueError, match=r"kind must be one of 'leaf', 'param', 'const', 'op', 'value', 'output'; received 'bogus'"):
        GraphNode(0, "a", "bogus")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"id must be an int >= 0; received -1"):
        GraphNode(-1, "a", "op")
    with pytest.raises(TypeError, match=r"id must be an int >= 0; received '0'"):
        GraphNode("0", "a", "op")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"label must be a str; received 3"):
        GraphNode(0, 3, "op")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"detail must be a str; received None"):
        GraphNode(0, "a", "op", detail=None)  # type: ignore[arg-type]


def _chain(n: int) -> Graph:
    return Graph(tuple(_node(i) for i in range(n)), tuple((i, i + 1) for i in range(n - 1)))


def test_big_graphs_are_refused_with_the_limit_and_the_size() -> None:
    draw_graph(_chain(MAX_DRAWN_NODES))  # at the limit: drawn
    n = MAX_DRAWN_NODES + 1
    with pytest.raises(ValueError, match=rf"at most {MAX_DRAWN_NODES} nodes.*received a graph of {n} nodes"):
        draw_graph(_chain(n))
    x = Value(0.5, label="x")
    y = x
    for _ in range(MAX_DRAWN_NODES):
        y = y + x  # 2 nodes per step
    with pytest.raises(ValueError, match=rf"at most {MAX_DRAWN_NODES} nodes"):
        draw_graph(y)
    assert len(graph_from_value(y).nodes) > MAX_DRAWN_NODES  # still readable as data


def test_layout_at_the_limit_is_quick() -> None:
    # the worst case for a layered layout: one input used by every step of a chain,
    # whose edges cross every later layer (the old layout took 20 s for 2,801 nodes)
    x = Value(0.5, label="x")
    y = x
    while len(graph_from_value(y).nodes) < MAX_DRAWN_NODES - 3:
        y = y + x
    g = graph_from_value(y)
    start = time.perf_counter()
    boxes, paths, _, _ = _layout(g, "LR", 9.0)
    assert time.perf_counter() - start < 5.0
    assert len(boxes) == len(g.nodes) and len(paths) == len(g.edges)


def test_draw_graph_checks_ax() -> None:
    with pytest.raises(TypeError, match=r"ax must be a matplotlib Axes or None; received 'x'"):
        draw_graph(_chain(2), ax="x")  # type: ignore[arg-type]
