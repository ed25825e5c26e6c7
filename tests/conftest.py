import os

# Tests train tiny models, where one intra-op thread is fastest and immune to a busy machine.
os.environ.setdefault("OMP_NUM_THREADS", "1")
