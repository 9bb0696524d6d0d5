"""CRS choice, Chinese coordinate offsets (GCJ-02/BD-09), raster helpers and GDAL settings."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping


@contextlib.contextmanager
def gdal_config(options: Mapping[str, str]) -> Iterator[None]:
    """GDAL configuration options set for a block, each previous value restored after it.

    GDAL's options are process-wide: a caller that other threads could race with holds its
    own lock around the block.

    Parameters
    ----------
    options
        Option names and values, e.g. ``{"OGR_SQLITE_SYNCHRONOUS": "OFF"}``.
    """
    import pyogrio

    previous = {k: pyogrio.get_gdal_config_option(k) for k in options}
    pyogrio.set_gdal_config_options(dict(options))
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(previous)
