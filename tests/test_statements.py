"""graph.statements: each part of a statement is handed only the parameters it refers to."""

from __future__ import annotations

from graph.statements import BACKENDS, for_backend, statement


def test_each_part_knows_its_own_parameters_and_comments_do_not_count():
    facts = statement("facts.institutions", "ladybug")
    # the file's comments name both $ids and $pairs; each part refers to one of them
    assert "$ids" in facts.path.read_text(encoding="utf-8").split("string_split($pairs")[0]
    assert facts.uses == (frozenset({"ids"}), frozenset({"pairs"}))
    params = {"ids": ["a"], "pairs": ["a|BJ-IMG:X"], "unused": [1, 2, 3]}
    assert facts.bind(0, params) == {"ids": ["a"]}
    assert facts.bind(1, params) == {"pairs": ["a|BJ-IMG:X"]}


def test_a_parameter_the_caller_did_not_give_stays_missing_for_the_driver_to_report():
    upsert = statement("institution.upsert", "ladybug")
    assert "rows" in upsert.uses[0]
    assert upsert.bind(0, {}) == {}


def test_every_part_of_every_statement_has_its_parameters_listed():
    for backend in BACKENDS:
        for st in for_backend(backend):
            assert len(st.uses) == len(st.parts), st.name
            for part, names in zip(st.parts, st.uses):
                assert all(f"${n}" in part for n in names), (st.name, names)


def test_a_fragment_is_written_once_and_expanded_where_a_statement_names_it():
    """The seven counts of recognitionMetrics live in one fragment; every statement that names it runs them
    (its comments left out), and a fragment is not a statement of its own."""
    import pytest

    from graph.statements import fragment, names

    counts = fragment("reminder.counts")
    assert "//" not in counts and "AS nonCompliant" in counts
    for name in ("reminder.metrics", "reminder.ranking_within", "reminder.metrics_by_institution"):
        text = statement(name, "neo4j").text
        assert "{{" not in text and counts in text, name
        assert "{{reminder.counts}}" in statement(name, "neo4j").path.read_text(encoding="utf-8")
    assert "reminder.counts" not in names()
    with pytest.raises(KeyError, match="no Cypher fragment named 'nope'"):
        fragment("nope")


def test_unasked_filters_and_the_sort_key_are_settled_before_the_store_sees_the_statement():
    """A browse statement's ``($anyX OR …)`` filters become ``true`` when not asked for and the predicate alone
    when asked, and ``CASE $sortField …`` the property chosen — neither store folds parameters, so the flags
    were evaluated on every scanned row; parameters no longer referred to are not handed to the driver."""
    seek = statement("q.institutions_seek", "neo4j")
    assert {"anyRegionPrefix", "anyTierIn", "anyNameContains"} <= seek.flags and seek.switches == {"sortField"}
    asked = {f: True for f in seek.flags} | {"anyRegionPrefix": False, "sortField": "name"}
    text = seek.specialised(asked).text
    assert "$any" not in text and "(i.region STARTS WITH $regionPrefix)" in text and "$tierIn" not in text
    assert "WITH i, i.name AS k" in text and "$sortField" not in text
    assert seek.specialised(asked).uses[0] >= {"regionPrefix"} and "tierIn" not in seek.specialised(asked).uses[0]
    # a disjunction after the flag stays whole; an unknown sort value takes the ELSE branch
    both = seek.specialised({f: False for f in seek.flags} | {"sortField": "nope"}).text
    assert "($nameContains = '' OR i.name CONTAINS $nameContains)" in both and "WITH i, i.id AS k" in both
    assert seek.specialised(asked) is seek.specialised(dict(asked))  # built once per combination
    plain = statement("meta.get", "neo4j")
    assert plain.specialised({"anyThing": True}) is plain


def test_a_first_keyset_page_asks_for_no_cursor():
    """``$fromStart`` is settled like a flag: a first page's statement has no cursor predicate for the store to
    evaluate on every row (on Neo4j at 40k the connection's first page cost the JVM 1.84 ms against the plain
    page's 1.47; docs/BENCHMARKS.md, "Peer"), a later page keeps it whole."""
    for name in ("q.institutions_seek", "q.marks_seek", "q.regions_seek_desc"):
        seek = statement(name, "ladybug")
        assert "fromStart" in seek.flags, name
        unasked = {f: True for f in seek.flags if f != "fromStart"}
        first = seek.specialised(unasked | {"fromStart": True})
        later = seek.specialised(unasked | {"fromStart": False})
        assert "$fromStart" not in first.text and "$afterId" not in first.text, (name, first.text)
        assert "$fromStart" not in later.text and "$afterId" in later.text, (name, later.text)
        assert "afterId" not in first.uses[0] and "afterId" in later.uses[0], name
