"""One region or one catalog item by its key, the entry points of the reverse lookups
(``region(code) { institutions }``, ``catalogItem(ref) { holders }``)."""

from __future__ import annotations

from typing import Annotated, Optional

import strawberry

from resolvers.types import CatalogItem, Region


async def region(info: strawberry.Info, code: Annotated[str, strawberry.argument(
        description="GB/T 2260 code, a zone (JJJ, CY) or CN.")]) -> Optional[Region]:
    from resolvers.entities import loaders

    return await loaders(info).regions.load(code)


def catalog_item(info: strawberry.Info, ref: Annotated[str, strawberry.argument(
        description="CATALOG:LOCAL, e.g. HE-IMG:122 (OCR variants resolve).")]) -> Optional[CatalogItem]:
    return CatalogItem.resolve_reference(info, ref)
