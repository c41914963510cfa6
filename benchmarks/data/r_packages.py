"""Read the data sets of Debian's ``r-cran-*`` packages without R.

R packages keep their data either as ``data/<name>.rda`` files or in a
lazy-load database (``data/Rdata.rdx``, a gzip-compressed index of offsets,
beside ``data/Rdata.rdb``, whose entries are each a 4-byte length, a
compression byte and one serialized R object). The ``rdata`` package parses
serialized R objects; this module only finds the bytes.

The packages come from Debian. ``make broad-data`` downloads their ``.deb``
files with ``apt-get download`` and unpacks them with ``dpkg -x`` into
:data:`CACHE` (no R and no root needed once apt's lists are there); packages
installed system-wide under ``/usr/lib/R`` are used as they are.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import warnings
import zlib
from pathlib import Path

from sklearn_l2m.datasets import DataSourceMissing

#: where ``make broad-data`` unpacks the packages
CACHE = Path(os.environ.get("SKLEARN_L2M_R_DATA", Path.home() / ".cache" / "sklearn_l2m" / "r"))
#: Debian package of each R package the broad suite reads
DEBIAN_PACKAGES = {
    "modeldata": "r-cran-modeldata",
    "kernlab": "r-cran-kernlab",
    "AER": "r-cran-aer",
    "MASS": "r-cran-mass",
    "dslabs": "r-cran-dslabs",
    "HSAUR3": "r-cran-hsaur3",
    "lme4": "r-cran-lme4",
}
INSTALL = "make broad-data   (apt-get download + dpkg -x of: {})"


#: R's own library folders, used when the packages are installed system-wide
_SYSTEM_ROOTS = [Path("/usr/lib/R/site-library"), Path("/usr/lib/R/library")]


def _package_dir(package: str) -> Path:
    roots = [CACHE / "usr/lib/R/site-library", CACHE / "usr/lib/R/library", *_SYSTEM_ROOTS]
    for root in roots:
        if (root / package / "data").is_dir():
            return root / package / "data"
    raise DataSourceMissing(
        f"The R data package {package!r} is not installed. Install it with:\n    "
        + INSTALL.format(DEBIAN_PACKAGES.get(package, f"r-cran-{package.lower()}"))
    )


def _decompress(entry: bytes) -> bytes:
    """One lazy-load entry: 4-byte length, then R's compression type and the body."""
    kind, body = entry[4:5], entry[5:]
    if kind == b"Z":  # xz, raw LZMA2 stream (R's R_compress3)
        filters = [{"id": lzma.FILTER_LZMA2, "preset": 9 | lzma.PRESET_EXTREME}]
        return lzma.decompress(body, format=lzma.FORMAT_RAW, filters=filters)
    if kind == b"2":
        return bz2.decompress(body)
    if kind == b"0":
        return body
    if kind == b"1":
        return zlib.decompress(body)
    return zlib.decompress(entry[4:])  # R_compress1: no type byte


def read_r_data(package: str, name: str):
    """The data set ``name`` of R package ``package`` as pandas / numpy objects."""
    try:
        from rdata.conversion import convert
        from rdata.parser import parse_data
    except ImportError as missing:  # pragma: no cover - in the bench extra
        raise DataSourceMissing("Reading R data needs: pip install rdata") from missing
    folder = _package_dir(package)
    with warnings.catch_warnings():  # tibble classes convert as data frames
        warnings.simplefilter("ignore", UserWarning)
        if (folder / f"{name}.rda").exists():
            return convert(parse_data((folder / f"{name}.rda").read_bytes()))[name]
        index = convert(parse_data(gzip.decompress((folder / "Rdata.rdx").read_bytes())))
        if name not in index["variables"]:
            raise KeyError(f"R package {package!r} has no data set {name!r}.")
        offset, length = (int(v) for v in index["variables"][name])
        with open(folder / "Rdata.rdb", "rb") as db:
            db.seek(offset)
            return convert(parse_data(_decompress(db.read(length))))
