"""The batch: a class's files graded under time and memory bounds, deduplicated, resumable.

``loop`` is the batch itself (``grade_files``, ``check_file``): ``reading`` finds and
reads the files in workers, ``planning`` turns the class's answers into one check per
distinct answer, ``scheduling`` orders the checks (slowest-looking first) and retries a
failed group alone, and ``tasks`` are what a worker runs. ``sandbox`` is the worker pool
with a hard limit per task (``sandboxworker`` the child's side), ``distributed`` runs
the same tasks on a Dask cluster, ``resume`` is only the ``--resume`` cache, and
``pairs`` is ``hwgrade equiv`` over a file of pairs. One hostile file never stops a
batch: every file ends with a result.

May import: the shared base and every earlier stage (:mod:`~hwgrade.grader.values`,
:mod:`~hwgrade.grader.answer`, :mod:`~hwgrade.grader.verify`,
:mod:`~hwgrade.grader.specs`, :mod:`~hwgrade.grader.grading`), and :mod:`hwgrade.solver`.
"""
