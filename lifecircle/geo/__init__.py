"""CRS choice, Chinese coordinate offsets (GCJ-02/BD-09) and raster helpers."""
