"""gunicorn reads this file from the directory it starts in (the repository's root, as in
the README and scripts/load); the command line's options still apply.

After a worker has built the application, every object it holds then (Flask, SQLAlchemy,
pandas, Babel, the templates: about 240 000 objects) is moved out of the garbage
collector's reach with gc.freeze(): they live as long as the worker, and the collector
no longer walks them on each full collection. That cost about 2.5 ms per request on the
demo pages (10 %), 0.4 ms after (docs/performance.md, "Web load").
"""

import gc


def post_worker_init(worker):
    gc.freeze()
