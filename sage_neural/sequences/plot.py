"""
Plots of a query against its OEIS neighbours.

Matplotlib is optional (``pip install 'sage_neural[plot]'``); it is imported
when a plot is asked for, and only its object-oriented part is used (a
``Figure`` with an Agg canvas), so no global pyplot state is touched.
"""

import io
import logging

logger = logging.getLogger(__name__)

__all__ = ["plot_neighbours", "png_bytes"]

# Above this size a linear axis squashes the small terms into a flat line.
_LOG_ABOVE = 1000


def _matplotlib():
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plots need matplotlib: pip install 'sage_neural[plot]' "
                          "(or pip install matplotlib)") from None
    return Figure, FigureCanvasAgg


def _offset(neighbour):
    """The shift that lines the neighbour's terms up with the query, if any."""
    for relation in neighbour.relations:
        if relation.transform == "terms" and relation.applied_to == "neighbour":
            return relation.shift
    return 0


def plot_neighbours(neighbours, path=None, count=None):
    """
    A Figure of the query (thick) against the first ``count`` (default:
    all) neighbours of a :class:`~sage_neural.sequences.neighbours.Neighbours`
    answer. A neighbour with the same terms at an offset is shifted to line
    up with the query. The vertical axis is logarithmic (symmetric about 0)
    when the terms exceed 1000 in size. Saved as PNG to ``path`` when given.

    EXAMPLES::

        sage: from sage_neural.sequences.neighbours import Neighbours, Neighbour
        sage: from sage_neural.sequences.plot import plot_neighbours
        sage: answer = Neighbours([1, 2, 4, 8, 16], [Neighbour('A000079', 'Powers of 2',
        ....:                     0.99, [], [1, 2, 4, 8, 16, 32])], 0.0)
        sage: plot_neighbours(answer)  # optional - matplotlib
        <Figure size 800x500 with 1 Axes>
    """
    Figure, FigureCanvasAgg = _matplotlib()
    query = neighbours.query
    shown = list(neighbours)[:count] if count else list(neighbours)
    length = len(query)

    figure = Figure(figsize=(8, 5))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    largest = max((abs(t) for t in query), default=0)
    for nb in shown:
        shift = _offset(nb)
        # Neighbour terms over the query's range, and a little beyond.
        xs = [n - shift for n in range(len(nb.terms))]
        pairs = [(x, t) for x, t in zip(xs, nb.terms) if -2 <= x < length + 4]
        if not pairs:
            continue
        largest = max(largest, max(abs(t) for _, t in pairs))
        label = f"{nb.anumber} ({nb.similarity:.2f})"
        if nb.relations:
            label += f": {nb.relations[0]}"
        axes.plot([x for x, _ in pairs], [float(t) for _, t in pairs], marker=".",
                  linewidth=1, alpha=0.7, label=label)
    axes.plot(range(length), [float(t) for t in query], color="black", marker="o",
              linewidth=2.5, label="query", zorder=5)
    if largest > _LOG_ABOVE:
        axes.set_yscale("symlog", linthresh=1)
        axes.set_ylabel("a(n) (symmetric log scale)")
    else:
        axes.set_ylabel("a(n)")
    axes.set_xlabel("n (from the query's first term)")
    axes.set_title("OEIS neighbours", fontsize=11)
    axes.legend(fontsize=7, loc="upper left")
    figure.text(0.99, 0.005, f"Data: {neighbours.credit}", fontsize=6, ha="right",
                va="bottom", color="gray")
    figure.tight_layout(rect=(0, 0.02, 1, 1))
    if path is not None:
        figure.savefig(path, format="png", dpi=100)
    return figure


def png_bytes(neighbours):
    """The plot of :func:`plot_neighbours` as PNG bytes, for notebooks."""
    buffer = io.BytesIO()
    plot_neighbours(neighbours).savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()
