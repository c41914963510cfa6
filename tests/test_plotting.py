"""The plots explain themselves: labelled axes, a titled legend, whole rounds."""

import numpy as np
import pytest
from sklearn.datasets import load_iris

from sklearn_l2m import Learn2MixClassifier
from sklearn_l2m.plotting import plot_group_losses, plot_mixture_history

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture(scope="module")
def fitted():
    X, y = load_iris(return_X_y=True)
    groups = np.where(np.arange(len(y)) % 3 == 0, "site_a", "site_b")
    by_class = Learn2MixClassifier(n_rounds=7, random_state=0).fit(X, y)
    by_group = Learn2MixClassifier(n_rounds=7, random_state=0).fit(X, y, groups=groups)
    return by_class, by_group


@pytest.mark.parametrize("plot", [plot_mixture_history, plot_group_losses])
def test_legend_names_what_the_lines_are_and_rounds_are_whole(fitted, plot):
    by_class, by_group = fitted
    for model, title, labels in [
        (by_class, "class", ["0", "1", "2"]),
        (by_group, "group", ["site_a", "site_b"]),
    ]:
        ax = plot(model)
        legend = ax.get_legend()
        assert legend.get_title().get_text() == title
        assert [t.get_text() for t in legend.get_texts()] == labels
        assert ax.get_xlabel() == "round" and ax.get_ylabel()
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks)
        matplotlib.pyplot.close(ax.figure)


def test_history_array_without_estimator_is_labelled_by_group():
    ax = plot_mixture_history(np.array([[0.5, 0.5], [0.4, 0.6], [0.3, 0.7]]))
    assert ax.get_legend().get_title().get_text() == "group"
    matplotlib.pyplot.close(ax.figure)


def test_plots_of_an_unfitted_estimator_or_a_flat_history_say_what_is_wrong():
    """They failed with an IndexError inside the plotting code."""
    from sklearn.exceptions import NotFittedError

    for plot in (plot_mixture_history, plot_group_losses):
        with pytest.raises(NotFittedError):
            plot(Learn2MixClassifier())
    with pytest.raises(ValueError, match=r"shape \(n_rounds \+ 1, n_groups\); got .*\(2,\)"):
        plot_mixture_history([0.5, 0.5])
