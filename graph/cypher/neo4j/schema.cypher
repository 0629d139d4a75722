// The graph model of docs/DESIGN.md on Neo4j 5: a uniqueness constraint (with its index) per key,
// plus the lookups the hub makes by a non-key property.  Run part by part on every open.
CREATE CONSTRAINT region_code IF NOT EXISTS FOR (n:Region) REQUIRE n.code IS UNIQUE
;
CREATE CONSTRAINT institution_id IF NOT EXISTS FOR (n:Institution) REQUIRE n.id IS UNIQUE
;
CREATE CONSTRAINT alliance_id IF NOT EXISTS FOR (n:Alliance) REQUIRE n.id IS UNIQUE
;
CREATE CONSTRAINT catalog_id IF NOT EXISTS FOR (n:Catalog) REQUIRE n.id IS UNIQUE
;
CREATE CONSTRAINT catalog_item_ref IF NOT EXISTS FOR (n:CatalogItem) REQUIRE n.ref IS UNIQUE
;
CREATE CONSTRAINT mark_id IF NOT EXISTS FOR (n:Mark) REQUIRE n.id IS UNIQUE
;
CREATE CONSTRAINT markset_key IF NOT EXISTS FOR (n:MarkSet) REQUIRE n.key IS UNIQUE
;
CREATE CONSTRAINT policy_id IF NOT EXISTS FOR (n:Policy) REQUIRE n.id IS UNIQUE
;
CREATE CONSTRAINT meta_key IF NOT EXISTS FOR (n:Meta) REQUIRE n.key IS UNIQUE
;
CREATE INDEX mark_institution IF NOT EXISTS FOR (n:Mark) ON (n.institution)
;
CREATE INDEX institution_name IF NOT EXISTS FOR (n:Institution) ON (n.name)
;
// Browsing by region (institutions(region:), institutionsConnection's region filter, the aggregates): a
// region is a GB/T 2260 code prefix, so `i.region STARTS WITH $prefix` seeks this range index instead of
// scanning every institution (docs/BENCHMARKS.md "Peer").
CREATE INDEX institution_region IF NOT EXISTS FOR (n:Institution) ON (n.region)
;
// The act of recognition (docs/DESIGN.md "Reminders and decisions"): keys, and the period the metrics count by
CREATE CONSTRAINT patient_pseudonym IF NOT EXISTS FOR (n:Patient) REQUIRE n.pseudonym IS UNIQUE
;
CREATE CONSTRAINT reminder_id IF NOT EXISTS FOR (n:Reminder) REQUIRE n.id IS UNIQUE
;
CREATE CONSTRAINT decision_id IF NOT EXISTS FOR (n:Decision) REQUIRE n.id IS UNIQUE
;
CREATE INDEX reminder_issued_on IF NOT EXISTS FOR (n:Reminder) ON (n.issuedOn)
