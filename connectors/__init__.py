"""Regional imaging platforms: federated prior-study search over DICOMweb (issue 4).

Modules, one job each:

* ``platforms``    — the platform file (JSON/YAML) → :class:`~connectors.platforms.Platform`; credentials
                     from the file or ``HUB_PLATFORM_<ID>_USER`` / ``_PASSWORD``.
* ``dicomweb``     — QIDO-RS / WADO-RS metadata client on the hub's one aiohttp session; DICOM JSON via pydicom.
* ``fanout``       — every platform at once: per-platform budget, retries (stamina), breakers (purgatory).
* ``completeness`` — image completeness measured against the policy files' ``uploadRules`` it is given
                     (today 001 三、2(二) and 003 二(四)).
* ``mapping``      — study → hub institution and catalog item through the ``Directory`` port.
* ``privacy``      — keyed pseudonyms so patient identifiers never reach a log.
* ``service``      — ``PriorStudySearch``: the above combined, free of GraphQL and of the recognition engine.
"""
