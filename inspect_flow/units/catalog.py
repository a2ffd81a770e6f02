"""Vietnam's administrative units as published by the ``vietnamadminunits`` package (MIT).

The package ships one SQLite file (``vietnamadminunits/data/dataset.db``) with two tables and one JSON
mapping (``converter_2025.json``):

* ``admin_units_legacy``: the 63 provinces, their district-level units and commune-level units as they stood
  just before the reform of 01/07/2025 (after the 2023–2025 arrangements);
* ``admin_units``: the 34 provinces and 3,321 commune-level units in force since 01/07/2025 (Resolution
  202/2025/QH15; Local Government Law 72/2025/QH15), with no district level;
* ``converter_2025.json``: which old commune(s) each new commune was formed from, and for an old commune divided
  among several new ones, which new commune is its default successor.

Only the data files are read; the package's own code (address parser, geocoding) is never imported, so its
dependencies stay unused. Everything here is pure reading: the reconciliation with the database lives in
:mod:`inspect_flow.units.loading`.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, util
from pathlib import Path

PACKAGE = 'vietnamadminunits'

#: GSO unit types as the package writes them → the project's ``AdminUnit.kind``.
KINDS = {
    'Tỉnh': 'tinh', 'Thành phố': 'thanh-pho', 'Huyện': 'huyen', 'Quận': 'quan', 'Thị xã': 'thi-xa',
    'Xã': 'xa', 'Phường': 'phuong', 'Thị trấn': 'thi-tran', 'Đặc khu': 'dac-khu',
}


@dataclass(frozen=True)
class SourceUnit:
    """One unit as the package lists it."""

    code: str
    full_name: str
    level: str  # province | district | commune
    kind: str
    parent_code: str | None


@dataclass(frozen=True)
class SourceSuccession:
    """An old commune (or province) whose territory went, wholly or partly, to a new one on 01/07/2025."""

    old_code: str
    new_code: str
    level: str
    #: For an old unit divided among several new ones: the new unit that took it over. Always true otherwise.
    is_default: bool


@dataclass(frozen=True)
class Catalog:
    """The package's data, read once."""

    version: str
    legacy: tuple[SourceUnit, ...]
    current: tuple[SourceUnit, ...]
    successions: tuple[SourceSuccession, ...]

    @property
    def source(self) -> str:
        """How rows loaded from this catalog name their source."""
        return f'{PACKAGE} {self.version}'

    def current_province_of(self, code: str) -> str | None:
        """Return the code of the 2025 province that *code* (a 2025 or pre-2025 province code) is or went into."""
        if any(u.code == code and u.level == 'province' for u in self.current):
            return code
        for s in self.successions:
            if s.level == 'province' and s.old_code == code:
                return s.new_code
        return None


def _nfc(text: str | None) -> str:
    return unicodedata.normalize('NFC', (text or '').strip())


def _kind(full_name: str, type_name: str | None) -> str:
    if type_name:
        return KINDS.get(_nfc(type_name), '')
    for prefix, kind in sorted(KINDS.items(), key=lambda kv: -len(kv[0])):
        if full_name.startswith(prefix + ' '):
            return kind
    return ''


def data_dir() -> Path:
    """Return the package's data folder, found without importing the package's code.

    :raise RuntimeError: the package is not installed
    """
    spec = util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f'The {PACKAGE} package is not installed.')
    return Path(next(iter(spec.submodule_search_locations))) / 'data'


@lru_cache(maxsize=1)
def read_catalog() -> Catalog:
    """Read the whole country from the package (about 13,400 units and 10,500 successions)."""
    folder = data_dir()
    conn = sqlite3.connect(f'file:{folder / "dataset.db"}?mode=ro', uri=True)
    try:
        legacy_rows = conn.execute(
            'SELECT provinceCode, province, districtCode, district, districtType, wardCode, ward, wardType, '
            'provinceKey, districtKey, wardKey FROM admin_units_legacy').fetchall()
        current_rows = conn.execute(
            'SELECT provinceCode, province, wardCode, ward, wardType, provinceKey, wardKey FROM admin_units'
        ).fetchall()
    finally:
        conn.close()
    mapping = json.loads((folder / 'converter_2025.json').read_text('utf-8'))

    legacy: dict[tuple[str, str], SourceUnit] = {}
    old_ward_by_key: dict[str, str] = {}
    old_province_by_key: dict[str, str] = {}
    old_district_by_key: dict[str, str] = {}
    for (pcode, pname, dcode, dname, dtype, wcode, wname, wtype, pkey, dkey, wkey) in legacy_rows:
        pname = _nfc(pname)
        legacy.setdefault(('province', pcode), SourceUnit(pcode, pname, 'province', _kind(pname, None), None))
        old_province_by_key[pkey] = pcode
        if dcode:
            dname = _nfc(dname)
            legacy.setdefault(('district', dcode), SourceUnit(dcode, dname, 'district', _kind(dname, dtype), pcode))
            old_district_by_key[f'{pkey}_{dkey}_'] = dcode
        if wcode:
            wname = _nfc(wname)
            legacy[('commune', wcode)] = SourceUnit(wcode, wname, 'commune', _kind(wname, wtype), dcode)
            old_ward_by_key[f'{pkey}_{dkey}_{wkey}'] = wcode

    current: dict[tuple[str, str], SourceUnit] = {}
    new_ward_by_key: dict[tuple[str, str], str] = {}
    new_province_by_key: dict[str, str] = {}
    for (pcode, pname, wcode, wname, wtype, pkey, wkey) in current_rows:
        pname = _nfc(pname)
        current.setdefault(('province', pcode), SourceUnit(pcode, pname, 'province', _kind(pname, None), None))
        new_province_by_key[pkey] = pcode
        wname = _nfc(wname)
        current[('commune', wcode)] = SourceUnit(wcode, wname, 'commune', _kind(wname, wtype), pcode)
        new_ward_by_key[(pkey, wkey)] = wcode

    successions: dict[tuple[str, str, str], SourceSuccession] = {}
    for new_pkey, old_pkeys in mapping['DICT_PROVINCE'].items():
        for old_pkey in old_pkeys:
            old, new = old_province_by_key[old_pkey], new_province_by_key[new_pkey]
            successions[('province', old, new)] = SourceSuccession(old, new, 'province', True)
    def old_unit(key: str) -> tuple[str, str]:
        # An island district without communes (Côn Đảo, Lý Sơn…) became a special zone: its key ends with "_".
        if key in old_district_by_key:
            return 'district', old_district_by_key[key]
        return 'commune', old_ward_by_key[key]

    # An old commune taken over whole by one new commune.
    divided = mapping['DICT_PROVINCE_WARD_DIVIDED']
    for new_pkey, wards in mapping['DICT_PROVINCE_WARD_NO_DIVIDED'].items():
        for new_wkey, old_keys in wards.items():
            new = new_ward_by_key[(new_pkey, new_wkey)]
            for old_key in old_keys:
                level, old = old_unit(old_key)
                successions[(level, old, new)] = SourceSuccession(old, new, level, True)
    # An old commune divided among several new communes, one of which is its default successor.
    for new_pkey, olds in divided.items():
        for old_key, parts in olds.items():
            level, old = old_unit(old_key)
            for part in parts:
                new = new_ward_by_key[(new_pkey, part['newWardKey'])]
                successions[(level, old, new)] = SourceSuccession(old, new, level, bool(part['isDefaultNewWard']))
    return Catalog(
        version=metadata.version(PACKAGE),
        legacy=tuple(legacy.values()),
        current=tuple(current.values()),
        successions=tuple(successions.values()),
    )
