// -> one row: the number of nodes per label and relationships per type
OPTIONAL MATCH (n:Region) WITH count(n) AS regions
OPTIONAL MATCH (n:Institution) WITH regions, count(n) AS institutions
OPTIONAL MATCH (n:Alliance) WITH regions, institutions, count(n) AS alliances
OPTIONAL MATCH (n:Catalog) WITH regions, institutions, alliances, count(n) AS catalogs
OPTIONAL MATCH (n:CatalogItem) WITH regions, institutions, alliances, catalogs, count(n) AS catalogItems
OPTIONAL MATCH (n:Mark) WITH regions, institutions, alliances, catalogs, catalogItems, count(n) AS marks
OPTIONAL MATCH (n:Policy)
WITH regions, institutions, alliances, catalogs, catalogItems, marks, count(n) AS policies
OPTIONAL MATCH ()-[r:PART_OF]->()
WITH regions, institutions, alliances, catalogs, catalogItems, marks, policies, count(r) AS partOf
OPTIONAL MATCH ()-[r:LOCATED_IN]->()
WITH regions, institutions, alliances, catalogs, catalogItems, marks, policies, partOf,
     count(r) AS locatedIn
OPTIONAL MATCH ()-[r:MEMBER_OF]->()
WITH regions, institutions, alliances, catalogs, catalogItems, marks, policies, partOf, locatedIn,
     count(r) AS memberOf
OPTIONAL MATCH ()-[r:IN_CATALOG]->()
WITH regions, institutions, alliances, catalogs, catalogItems, marks, policies, partOf, locatedIn,
     memberOf, count(r) AS inCatalog
OPTIONAL MATCH ()-[r:HOLDS]->()
WITH regions, institutions, alliances, catalogs, catalogItems, marks, policies, partOf, locatedIn,
     memberOf, inCatalog, count(r) AS holds
OPTIONAL MATCH ()-[r:FOR_ITEM]->()
WITH regions, institutions, alliances, catalogs, catalogItems, marks, policies, partOf, locatedIn,
     memberOf, inCatalog, holds, count(r) AS forItem
OPTIONAL MATCH ()-[r:VALID_IN]->()
WITH regions, institutions, alliances, catalogs, catalogItems, marks, policies, partOf, locatedIn,
     memberOf, inCatalog, holds, forItem, count(r) AS validIn
OPTIONAL MATCH ()-[r:GOVERNS]->()
WITH regions, institutions, alliances, catalogs, catalogItems, marks, policies, partOf, locatedIn,
     memberOf, inCatalog, holds, forItem, validIn, count(r) AS governs
OPTIONAL MATCH ()-[r:USES]->()
RETURN regions, institutions, alliances, catalogs, catalogItems, marks, policies, partOf, locatedIn,
       memberOf, inCatalog, holds, forItem, validIn, governs, count(r) AS uses
