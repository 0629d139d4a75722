"""Regional imaging platforms: federated prior-study search over DICOMweb (issue 4).

Modules, one job each:

* ``platforms``    — the platform file (JSON/YAML) → :class:`~connectors.platforms.Platform`; credentials
                     (basic, bearer, OAuth2 client credentials) and TLS files (caFile, clientCert,
                     clientKey) from the file, files it names, or ``HUB_PLATFORM_<ID>_*``.
* ``credentials``  — per platform: the Authorization header (OAuth2 tokens fetched, cached, renewed; one
                     fetch for concurrent searches) and the TLS context.
* ``errors``       — what can go wrong, as short sentences free of identifiers and secrets.
* ``dicomweb``     — QIDO-RS / WADO-RS metadata client on the hub's one aiohttp session; DICOM JSON via pydicom.
* ``fanout``       — every platform at once: per-platform budget, retries (stamina), breakers (purgatory).
* ``completeness`` — image completeness measured against the policy files' ``uploadRules`` it is given
                     (today 001 三、2(二) and 003 二(四)).
* ``mapping``      — study → hub institution and catalog item through the ``Directory`` port.
* ``privacy``      — keyed pseudonyms so patient identifiers never reach a log.
* ``service``      — ``PriorStudySearch``: the above combined, free of GraphQL and of the recognition engine.
"""
