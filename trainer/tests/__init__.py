import os

# Before torch is imported: idle OpenMP threads sleep instead of spinning (see train.py).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
