"""The catalog crosswalk: the same exam printed with different codes or words in the catalogs.

One job per module, read top to bottom:

* :mod:`~hub.crosswalk.vocabulary` — ``seeds/crosswalk/vocabulary.yaml`` compiled for reading names;
* :mod:`~hub.crosswalk.features` — one item's printed name read into :class:`Features`;
* :mod:`~hub.crosswalk.model` — the records a build works on (items, classes, the result);
* :mod:`~hub.crosswalk.build` — the equivalence classes (code, features, lab identities);
* :mod:`~hub.crosswalk.coverage` — group items and the exams they cover; exams named as not recognized;
* :mod:`~hub.crosswalk.artifact` — ``seeds/crosswalk/equivalences.yaml`` rendered and checked
  (``hub crosswalk build`` / ``hub crosswalk check``, :mod:`hub.cli_crosswalk`);
* :mod:`~hub.crosswalk.index` — the run-time lookups over the committed file, an object the wiring
  builds once from a seeds directory and passes on.

Like :mod:`hub.domain` it imports no adapter, web layer or framework (import-linter, pyproject.toml).
"""
