"""Bringing in the participant lists posts already keep (issue 20; docs/sheet-import.md).

``read_sheet`` reads an XLSX or CSV file as it is; ``guess_mapping`` (or a remembered or given
mapping) says which column is which; ``check`` is the dry run — every row's status and reason,
nothing saved; ``import_checked`` imports what was accepted in one transaction.
"""

from rumah_perisai.services.sheet_import.checking import (
    STATUS_ORDER,
    Checked,
    RowResult,
    RowStatus,
    check,
    status_label,
)
from rumah_perisai.services.sheet_import.columns import (
    FIELDS,
    REQUIRED,
    Mapping,
    field_label,
    guess_mapping,
    mapping_from_file,
    remember_mapping,
    remembered_mapping,
)
from rumah_perisai.services.sheet_import.importing import Imported, import_checked
from rumah_perisai.services.sheet_import.reading import Sheet, SheetRow, read_sheet

__all__ = [
    "FIELDS",
    "REQUIRED",
    "STATUS_ORDER",
    "Checked",
    "Imported",
    "Mapping",
    "RowResult",
    "RowStatus",
    "Sheet",
    "SheetRow",
    "check",
    "field_label",
    "guess_mapping",
    "import_checked",
    "mapping_from_file",
    "read_sheet",
    "remember_mapping",
    "remembered_mapping",
    "status_label",
]
