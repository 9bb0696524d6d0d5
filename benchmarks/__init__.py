"""Side-by-side benchmarks of lifecircle against its peers (``make bench``)."""
