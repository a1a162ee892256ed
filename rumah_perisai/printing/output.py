"""Writing a finished document (a PDF, a spreadsheet) to the file a person chose.

The bytes go to a temporary file in the same folder whose name says nothing about whose document
it is (the chosen name may be a participant's), synced, then renamed: a file under the chosen
name is always whole. A full or locked folder, one that went away, or a name the system refuses
leaves no file behind and raises ``UserError``. A path that exists is refused unless ``replace``
(the window's save dialog has asked); one that is not a regular file (a folder, a device) is
refused always. The command line never replaces: a file already there is the user's.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from rumah_perisai.errors import UserError
from rumah_perisai.files import rename_new, write_new


def write_document(
    path: Path, data: bytes, *, replace: bool = False, failed: str = "document_write_failed"
) -> Path:
    """Write ``data`` to ``path`` whole, or nothing there at all; ``failed`` is the message key
    of a write the system refused (``{path}``, ``{reason}``)."""
    if path.exists() or path.is_symlink():
        if not path.is_file():
            raise UserError("out_not_a_file", path=str(path))
        if not replace:
            raise UserError("out_exists", path=str(path))
    if not path.parent.is_dir():
        raise UserError("out_folder_missing", path=str(path.parent))
    temporary = path.with_name(f".rumah-perisai-{secrets.token_hex(6)}.partial")
    try:
        write_new(temporary, data)
        if replace:
            os.replace(temporary, path)
        else:
            rename_new(temporary, path)
    except FileExistsError as error:  # put there meanwhile
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise UserError("out_exists", path=str(path)) from error
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        reason = error.strerror or str(error)
        raise UserError(failed, path=str(path), reason=reason) from error
    return path
