"""`rnnplay watch METRICS.jsonl`: the app's Train and Samples views, read-only, on a run another process writes."""

from __future__ import annotations

import math
import os
import stat

from engine.cli.args import UsageError, nonempty
from engine.text import echo


def add_parser(sub) -> None:
    watch = sub.add_parser("watch", help="follow a run's --metrics file in the app's Train and Samples views")
    watch.add_argument("metrics", metavar="METRICS.jsonl", type=nonempty("the --metrics file of a run"),
                       help="the file `rnnplay train --metrics` writes; it may not exist yet")
    watch.add_argument("--stale", metavar="SECONDS", type=float, default=60.0,
                       help="say the run may have stopped after this long without a new line (default 60)")


def check_metrics_path(path: str) -> None:
    """A regular file, or a new name in an existing folder (the run may not have started yet)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise UsageError(f"{echo(path)}: the folder {echo(folder)} does not exist; give the --metrics file "
                             "of a run (it may not exist yet, but its folder must)") from None
        return
    except OSError as e:
        raise UsageError(f"{echo(path)}: cannot be read ({e.strerror}); give the --metrics file of a run") from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise UsageError(f"{echo(path)} is {kind}; give the --metrics file (JSON lines) of a run")


def cmd_watch(args) -> int:
    from engine.cli.tui import require_terminal

    if not (math.isfinite(args.stale) and args.stale > 0):
        raise UsageError(f"--stale: {echo(args.stale)} is not accepted; give a number of seconds above 0")
    check_metrics_path(args.metrics)
    require_terminal()
    from tui import shutdown
    from tui.app import make_app

    app = make_app(watch=args.metrics, stale_seconds=args.stale)
    app.run()
    return shutdown.finish(app.return_code or app.exit_status or 0)
