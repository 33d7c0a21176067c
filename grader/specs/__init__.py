"""Problem specs: YAML files read into frozen dataclasses, solved into reference answers.

``model`` holds the dataclasses everything later works with; ``specfile`` reads one
file into them (with ``yamlfields``' line-tracking typed getters and
``variantrules``' ``variants:`` section), with no side effects; ``problemset`` finds a
course's folder and its ``hwgrade.toml`` (``settings``) and imports its solver modules,
the one explicit step that runs course code. ``solving`` turns a spec into a solution
(its solver plus its ``derive`` derivations, with ``reductions`` over tensor axes),
``keycache`` keeps solutions on disk between runs, ``variants`` gives each student a
variant, ``validation`` is ``hwgrade validate`` and ``scaffold`` is ``hwgrade new``.

May import: the shared base, :mod:`~hwgrade.grader.values`, :mod:`~hwgrade.grader.answer`,
:mod:`~hwgrade.grader.verify` and the solver registry :mod:`hwgrade.solver`.
"""
