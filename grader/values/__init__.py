"""Values: the SymPy objects an answer becomes, and the arithmetic between them.

``numbers`` builds and normalises values without ever parsing text; ``matrixops`` owns
every shape rule (scalars, matrix expressions, explicit matrices, tensors); ``tuples``
is the ordered-tuple kind, compared entry by entry. Everything later (the answer
language, the equivalence engine, the solvers) computes through these.

May import: the shared base (``errors``, ``results``, ``context``, ``names``) only.
"""
