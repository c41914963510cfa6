"""Order of the examples in the gallery: the quick start first, then by file name."""

from sphinx_gallery.sorting import FileNameSortKey


class QuickStartFirst(FileNameSortKey):
    """File name order, except that ``plot_quickstart*`` comes first."""

    def __call__(self, filename):
        return (not str(filename).startswith("plot_quickstart"), str(filename))
