"""SSB's municipality registry, read into organisations: parsing, validation and the import.

Two shapes are understood:

- the registry CSV of `../shared/data/municipalities.csv` (one row per municipality, its county in
  the county columns), optionally with `counties.csv` beside it;
- the JSON that SSB's classification service KLASS returns for classification 131 (municipalities)
  from `/classifications/131/codes` or `/codesAt`: `{"codes": [{"code": "0301", "name": ...}]}`.
  KLASS carries numbers and names only.

`read_registry` (in `read`) reads and checks everything without touching the database;
`import_registry` (in `write`) then writes in one transaction. A bad file therefore changes
nothing, and the operator sees every problem at once rather than one per attempt.
"""

from .read import (
    CountyRecord,
    Format,
    MunicipalityRecord,
    Registry,
    RegistryError,
    detect_format,
    parse_counties_csv,
    parse_klass_json,
    parse_municipalities_csv,
    read_registry,
)
from .write import ImportReport, Tally, import_registry, registry_slug

__all__ = [
    "CountyRecord",
    "Format",
    "ImportReport",
    "MunicipalityRecord",
    "Registry",
    "RegistryError",
    "Tally",
    "detect_format",
    "import_registry",
    "parse_counties_csv",
    "parse_klass_json",
    "parse_municipalities_csv",
    "read_registry",
    "registry_slug",
]
