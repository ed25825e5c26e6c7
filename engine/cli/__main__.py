"""`python -m engine.cli`: the same as the `rnnplay` command, and what each torchrun worker runs."""

import os
import sys

from engine.cli.main import main
from engine.distributed.data_parallel import under_torchrun

status = main()
if under_torchrun():
    # A worker has left its process group and written everything by now. Python's own teardown then ran the
    # C++ destructors of gloo's threads, which aborted ("terminate called without an active exception") in
    # about 1 exit in 8 on a busy machine, and torchrun then stopped rank 0 with SIGTERM (exit 143).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
sys.exit(status)
