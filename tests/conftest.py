"""Test-wide settings. BLAS is pinned to one thread before numpy loads (the SDP blocks are tiny;
threads only contend), as the `sepgap` command does."""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
