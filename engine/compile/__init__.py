"""``engine.compile`` in three parts: record ``f`` once at one example (``recording``), lay the
graph out as rows and groups (``plan``), replay the groups on numpy arrays with one column per
example (``replay``: ``engine.compile`` and ``Compiled``).

``engine.compile`` is the function; this package is reached as ``engine.compile.replay`` and
so on only through ``from … import``.
"""
