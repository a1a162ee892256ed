"""The messages of ``UserError`` by code: what the user reads when something cannot be done.

Codes are stable (scripts and tests use them); texts are English msgids translated by gettext.
"""

from __future__ import annotations

from rumah_perisai.i18n import N_

MESSAGES: dict[str, str] = {
    # --- command line and start-up
    "data_dir_unwritable": N_("The data folder {path} cannot be written: {reason}."),
    "unknown_language": N_("Unknown language {language}; choose one of: {choices}."),
    "internal_error": N_("The program hit an internal error. Details were logged to {log}."),
    "usage_error": N_("Wrong usage: {detail}"),
    "interrupted": N_("Interrupted."),
    # --- hostile input and coordinators on the command line (issue 14, items 7 and 10) ---
    "argument_not_text": N_("Wrong usage: {value} is not valid text (not UTF-8)."),
    "data_dir_unusable": N_("The data folder {path} cannot be used: {reason}."),
    "coordinator_needed": N_(
        "Only a coordinator may do this: add --coordinator NAME (the PIN is asked at the "
        "terminal, or read as one line from stdin)."
    ),
    "input_not_a_file": N_("{path} is not a file (a folder or a device); nothing was read."),
    "input_too_big": N_("{path} is far too large ({size} bytes) for this kind of file."),
    "out_exists": N_("{path} already exists; it was not overwritten. Choose another name."),
    "out_not_a_file": N_("{path} is not a file (a folder or a device); nothing was written."),
    "out_folder_missing": N_("The folder {path} does not exist; nothing was written."),
    "card_write_failed": N_(
        "The card could not be written to {path} ({reason}); nothing was left there and no "
        "card was recorded."
    ),
    "file_failed": N_("The file {path} cannot be used: {reason}."),
    # --- database
    "db_url_invalid": N_("The database address {url} is not valid: {reason}."),
    "db_unreachable": N_("The database {url} cannot be opened: {reason}."),
    "db_corrupt": N_("The database file {path} is damaged or is not a Rumah Perisai database."),
    "db_foreign": N_(
        "The database {url} holds other tables and is not a Rumah Perisai database; "
        "it was left unchanged."
    ),
    "db_newer": N_(
        "This database was made by a newer version of Rumah Perisai (revision {revision}). "
        "Install the newest program; the database was not changed."
    ),
    "db_busy": N_(
        "The database is busy: another window or program is saving to it. Nothing was "
        "changed; try again in a moment."
    ),
    "clock_behind": N_(
        "The computer's clock ({now}) is earlier than the newest record ({newest}). "
        "Correct the date and time first; nothing was recorded."
    ),
    # --- database: issue 14 (a full disk on this computer) ---
    "computer_disk_full": N_(
        "This computer's disk is full ({path}); nothing was recorded. Free some space (empty "
        "the Recycle Bin, move photos and videos elsewhere), then try again."
    ),
    # --- issue 16 (lead): the encrypted database and its keys ---
    "db_key_missing": N_(
        "The data in {path} is locked and this computer does not hold its key. Restore the "
        "post from a backup with the recovery code; nothing was changed."
    ),
    "db_key_wrong": N_(
        "The database {path} cannot be opened with the key this computer holds for it (it "
        "may be damaged). Restore the post from a backup; nothing was changed."
    ),
    "db_convert_failed": N_(
        "The database could not be encrypted: the checked copy {path} did not match. The "
        "database was left as it was."
    ),
    "vault_unreadable": N_(
        "The file {path} that names the database key is damaged. Restore the post from a "
        "backup; nothing was changed."
    ),
    "recovery_code_bad_form": N_(
        "That is not a recovery code: it has 25 letters and digits in five groups, like "
        "7KQ2M-9XD4A-… Check for a typing mistake."
    ),
    "recovery_code_wrong": N_(
        "The recovery code is not right for this backup; nothing was changed."
    ),
    "recovery_code_none": N_(
        "This backup was made before the post had a recovery code; ask the branch to open it "
        "(branch recover-post)."
    ),
    "backup_damaged": N_("The backup is damaged or was changed; it was not used."),
    "post_in_use": N_(
        "Rumah Perisai has this post open in another window or command; close it first, then "
        "restore. Nothing was changed."
    ),
    "post_being_restored": N_(
        "The post is being restored from a backup in another window; try again when that is done."
    ),
    "backup_not_for_this_branch": N_(
        "This backup was not made for this branch's key; it cannot be opened here."
    ),
    # --- set-up
    "post_exists": N_(
        "This data folder already holds post {code} ({name}); it was not overwritten."
    ),
    "no_post": N_("There is no post in this data folder yet. Run first: rumah-perisai init ..."),
    "bad_post_code": N_("Post code {code} is not valid: use 3–12 capital letters or digits."),
    "bad_post_name": N_("The post name must not be empty (at most 100 characters)."),
    "unknown_kabupaten": N_(
        "Unknown kabupaten/kota code {code} (for example 32.09 for Kabupaten Cirebon)."
    ),
    "unknown_timezone": N_("Unknown time zone {tz}; choose WIB, WITA or WIT."),
    # set-up, issue 17: the post's own desa (offered for every walk-in)
    "unknown_post_desa": N_(
        "The desa/kelurahan {desa} is not in the post's kabupaten/kota: choose it from the list, "
        "or leave it empty."
    ),
    "key_exists": N_("A key already exists at {path}; it was not overwritten."),
    "key_unreadable": N_("The key {path} cannot be read: {reason}."),
    "bad_volunteer_name": N_("The volunteer's name must not be empty (at most 100 characters)."),
    "bad_pin": N_("The PIN must be 4–8 digits and not one digit repeated (e.g. 1111)."),
    "pin_mismatch": N_("The two PINs differ; nothing was created."),
    "pin_missing": N_(
        "No coordinator PIN given (type it at the terminal, or send one line on stdin)."
    ),
    "no_area_match": N_("No area matches {query}."),
    # --- demo post
    "demo_refuses_real_post": N_(
        "This data folder holds the real post {code} ({name}); "
        "demo data is only made in an empty data folder."
    ),
    "demo_post_exists": N_("This data folder already holds the demo post {code} ({name})."),
    "demo_database_not_empty": N_(
        "This database already holds {count} participants; "
        "demo data is only made in an empty database."
    ),
    "demo_bad_count": N_("The number of demo participants must be between 0 and {maximum}."),
    "demo_no_villages": N_("No desa are known for kabupaten/kota {code}; choose another one."),
    # --- cards
    "no_cards": N_("Choose at least one participant."),
    "card_not_member": N_("{name}'s registration is withdrawn or rejected: no card is made."),
    "card_missing_data": N_("{name} lacks data a card needs (name or NIK): correct it first."),
    "reprint_needs_reason": N_(
        "{name} already has a card: a new one needs a reason (lost, damaged or corrected)."
    ),
    "cards_outdated": N_(
        "Other cards were recorded meanwhile; make these cards again so their numbers are right."
    ),
    "card_unknown": N_("No card no. {serial} was made at this post."),
    # --- accounts
    "bad_login": N_("Wrong name or PIN."),
    "coordinator_only": N_("Only a coordinator may do this."),
    "account_exists": N_("There is already an account named {name}."),
    "cannot_deactivate_self": N_("You cannot deactivate your own account."),
    "volunteer_missing": N_("No volunteer account {ref} at this post."),
    # --- issue 16 (P): PINs, their wait after wrong ones, and resetting them ---
    "pin_rule": N_(
        "The PIN must be 6–8 digits, and not one digit repeated (111111), a run of digits "
        "(123456, 987654) or a group repeated (121212, 123123)."
    ),
    "pin_locked": N_("Too many wrong PINs for this name. Wait {wait} before the next try."),
    "pin_change_in_window": N_(
        "{name}'s PIN is too short or too easy to guess: log in once in the program's window, "
        "which asks for a new PIN, then try again."
    ),
    "recovery_locked": N_(
        "Too many wrong recovery codes. Wait {wait} before the next try; no PIN was changed."
    ),
    "pin_reset_code_wrong": N_("That is not this post's recovery code; no PIN was changed."),
    "pin_reset_no_code": N_(
        "This post has no recovery code yet, so no PIN can be reset with one. Another "
        "coordinator can give a new PIN under File → Volunteer accounts."
    ),
    "recovery_code_missing": N_(
        "No recovery code given (type it at the terminal, or send it as the first line on stdin)."
    ),
    "pin_reset_not_coordinator": N_(
        "{name} is not an active coordinator of this post. The recovery code resets only a "
        "coordinator's PIN; a volunteer gets a new PIN from a coordinator."
    ),
    # --- registration
    "registration_invalid": N_("Some fields need correcting: {fields}."),
    "duplicate_nik": N_(
        "NIK {nik} is already registered here as {registration_no} ({name}); nothing was saved."
    ),
    "possible_duplicate": N_(
        "Someone with a similar name and the same birth date is already registered: {names}. "
        "Check it is not the same person, then confirm with a reason."
    ),
    "nik_override_needs_coordinator": N_(
        "The NIK disagrees with the KTP details; only a coordinator can register it anyway, "
        "with a reason."
    ),
    "reason_needed": N_("Give a reason."),
    "no_consent": N_("The participant must agree to their data being processed."),
    "participant_missing": N_("No participant {ref} at this post."),
    "not_lapsed": N_("Only a lapsed membership can be reactivated; {name} is {status}."),
    "already_withdrawn": N_("{name} is already withdrawn or rejected."),
    # --- dues and receipts
    "pay_lapsed": N_(
        "{name}'s membership has lapsed (more than 3 months unpaid): dues cannot be paid on it. "
        'Reactivate it first (button "Reactivate (rejoin)"); the new membership starts this '
        "month, without a new free promotion."
    ),
    "pay_not_member": N_("{name} is {status}: no dues can be taken."),
    "bad_month_count": N_("Dues are paid for 1, 3, 6 or 12 months."),
    "rule_refused": N_("This payment cannot be computed: {detail}"),
    "month_paid": N_(
        "{month} is already paid (receipt {receipt}); nothing was recorded. Look at the amounts "
        "again."
    ),
    "months_changed": N_(
        "What {name} owes changed meanwhile (another payment?); nothing was recorded. Look at "
        "the amounts again."
    ),
    "cash_not_a_number": N_("Cash received must be an amount in rupiah, e.g. 50000 (not {text})."),
    "cash_negative": N_("Cash received cannot be negative."),
    "cash_too_small": N_("Cash received ({cash}) is less than the total ({total})."),
    "cash_change_too_big": N_(
        "The change would be {change}, {limit} or more: check the cash received (an extra 0?)."
    ),
    "receipt_missing": N_("No receipt {number} at this post."),
    "void_of_void": N_("{number} records a void; it cannot be voided itself."),
    "already_voided": N_("Receipt {number} was already voided by {void}."),
    "void_reason_needed": N_("Give the reason for the void; it is printed and kept."),
    "reason_too_long": N_("The reason is too long (at most {limit} characters)."),
    # --- daily close and deposits
    "close_future_day": N_("A day that has not come yet cannot be closed."),
    "nothing_to_close": N_("There are no receipts to count for this day."),
    "till_changed": N_(
        "New receipts came in while counting; nothing was recorded. Count again with them."
    ),
    "count_missing": N_("Enter the cash counted for {name}."),
    "close_needs_note": N_(
        "The cash counted differs from what the receipts say: write down why in the note."
    ),
    "close_missing": N_("No daily close {ref} at this post."),
    "deposit_bank": N_("Choose the bank: CIMB Niaga, BNI or another bank."),
    "deposit_bank_name": N_("Write the name of the other bank."),
    "deposit_reference": N_("Enter the reference on the bank slip (at most 60 characters)."),
    "deposit_no_closes": N_("Choose the closed days whose cash is deposited."),
    "deposit_amount_positive": N_("The amount deposited must be more than Rp 0."),
    "close_deposited": N_("The cash of close {close} was already deposited."),
    "deposit_date": N_(
        "The deposit date must be on or after the closed days, and not later than today."
    ),
    "deposit_amount": N_(
        "The amount deposited ({amount}) differs from the cash counted in the chosen closes "
        "({counted}). Check the slip and the closes."
    ),
    # --- call list
    "call_outcome_unknown": N_(
        "Unknown call outcome {outcome}: choose reached, promised to pay, wrong number "
        "or no answer."
    ),
    "call_note_too_long": N_("The call note is too long (at most {limit} characters)."),
    "call_days": N_("The number of days ahead must be from 0 to {limit}."),
    # --- keys and weekly batches (issue 8) ---
    "key_file_bad": N_("This is not a usable {what} key file ({reason}); nothing was installed."),
    "key_file_newer": N_(
        "This {what} key file was made by a newer version of Rumah Perisai (version {version})."
    ),
    "branch_key_demo": N_(
        "This is a training (demo) branch's key; a real post sends its batches to a real branch."
    ),
    "branch_key_real": N_(
        "This is a real branch's key; a demo post sends its batches to a training branch only."
    ),
    "branch_key_replace_coordinator": N_(
        "A branch key is already installed (fingerprint {fingerprint}); only a coordinator may "
        "replace it."
    ),
    "no_branch_key": N_(
        "No branch key is installed yet: install the branch's key file first (Settings, or "
        "rumah-perisai keys set-branch FILE)."
    ),
    "batch_nothing_new": N_(
        "Nothing has changed since batch {seq} ({name}); there is no new batch to write. "
        "To write that batch again: batch export --again {seq}."
    ),
    "batch_out_missing": N_("The folder {path} does not exist (is the USB stick plugged in?)."),
    "batch_saved_not_written": N_(
        "Batch {seq} is saved on this computer but could not be put on the stick: {reason} "
        "Write it again onto a working stick (Write again, or batch export --again {seq})."
    ),
    "batch_unknown": N_("There is no batch {seq} at this post."),
    "batch_copy_missing": N_("The kept copy of batch {seq} is missing ({path})."),
    "batch_copy_damaged": N_(
        "The kept copy of batch {seq} ({path}) has changed since it was written; it was not "
        "written out. Tell the branch."
    ),
    "file_unreadable": N_("{path} cannot be read: {reason}."),
    "file_exists_different": N_(
        "A different file named {path} is already there; it was not overwritten."
    ),
    "write_failed_full": N_("The stick {path} is full ({detail}); nothing was written."),
    "write_failed_read_only": N_(
        "The stick {path} cannot be written to (read-only or locked: {detail}); nothing was "
        "written."
    ),
    "write_failed_gone": N_(
        "The stick {path} went away while writing ({detail}); no batch file was left on it."
    ),
    "write_failed_other": N_("Writing to {path} failed ({detail}); nothing was written."),
    "write_failed_mismatch": N_(
        "What was read back from {path} differs from what was written: the stick may be "
        "faulty. Nothing was written."
    ),
    "batch_not_batch": N_("{name} is not a Rumah Perisai batch file."),
    "batch_newer": N_(
        "{name} was written by a newer version of Rumah Perisai (batch format {version})."
    ),
    "batch_truncated": N_(
        "{name} is incomplete: it has {size} of {expected} bytes (the stick was probably pulled "
        "out while it was written)."
    ),
    "batch_extra": N_("{name} has {extra} bytes more than its manifest lists: it was changed."),
    "batch_manifest_bad": N_("The manifest of {name} is damaged ({reason})."),
    "batch_signature_bad": N_(
        "{name} was changed after the post wrote it: its signature does not match."
    ),
    "batch_part_mismatch": N_(
        "The manifest of {name} disagrees with its part {part} ({reason}): the file was not "
        "written correctly."
    ),
    "batch_wrong_key": N_(
        "{name} says it is from post {post} but is signed with another key (fingerprint "
        "{fingerprint}): another post signed it."
    ),
    "batch_other_branch": N_("{name} was encrypted to another branch ({branch})."),
    "batch_undecryptable": N_(
        "{name} is addressed to this branch but cannot be decrypted: it was written wrongly, or "
        "this branch's key files do not belong together."
    ),
    # --- the branch (issue 9) ---
    "not_a_branch": N_(
        "{path} is not a branch's data folder (make one with: rumah-perisai --data-dir DIR "
        "branch init)."
    ),
    "branch_name_bad": N_("The branch needs a code (at most 16 characters) and a name."),
    "branch_in_post_folder": N_(
        "This data folder belongs to post {code}; a branch needs a data folder of its own."
    ),
    "post_demo_at_real_branch": N_(
        "This is a demo post's key; a real branch takes real posts only (a training branch: "
        "branch init --demo)."
    ),
    "post_real_at_training_branch": N_(
        "This is a real post's key; a training branch takes demo posts only."
    ),
    "post_key_differs": N_(
        "Post {code} is registered already with another key (fingerprint {fingerprint}); "
        "nothing was changed. Check with the post which key is right."
    ),
    "post_unknown": N_("There is no post {code} at this branch."),
    "post_unknown_batch": N_(
        "{name} comes from post {code}, which this branch does not know: register the post's "
        "key first (branch add-post FILE)."
    ),
    "post_suspended": N_("Post {code} is suspended ({reason}); its batches are refused."),
    "batch_demo_at_real_branch": N_(
        "{name} is a demo post's batch; a real branch does not take demo batches."
    ),
    "batch_real_at_training_branch": N_(
        "{name} is a real post's batch; a training branch takes demo batches only."
    ),
    "batch_replayed": N_(
        "{name} is batch {seq} of post {post}, but a different batch {seq} was imported "
        "already: an old or replayed batch; nothing was imported."
    ),
    "batch_not_following": N_(
        "{name} does not follow batch {seq} of post {post} (its link to the previous batch "
        "differs); nothing was imported."
    ),
    "batch_dangling": N_(
        "{name}: records of {part} refer to records ({column}) this branch never received; "
        "nothing was imported. Is an earlier batch missing?"
    ),
    "batch_chain_broken": N_(
        "{name}: receipt {number} does not follow the post's previous receipt: receipts are "
        "missing or were reordered; nothing was imported."
    ),
    "batch_chain_altered": N_(
        "{name}: receipt {number} does not match its hash: it was altered; nothing was imported."
    ),
    "batch_chain_incomplete": N_(
        "{name}: the receipts do not reach the newest receipt the manifest names: receipts "
        "are missing; nothing was imported."
    ),
    "batch_foreign_key_value": N_(
        "{name}: a record of {part} has a {column} that is not post {post}'s own; nothing was "
        "imported."
    ),
    "ack_other_post": N_(
        "{name} acknowledges a batch of post {post}, not of this post; nothing was changed."
    ),
    "ack_unknown_batch": N_(
        "{name} acknowledges batch {seq}, which this post never wrote; nothing was changed."
    ),
    "ack_wrong_batch": N_(
        "{name} acknowledges a different batch {seq} than the one this post wrote; nothing was "
        "changed. Tell the branch."
    ),
    "ack_bad": N_("{name} is not a usable acknowledgement ({reason}); nothing was changed."),
    "ack_other_branch": N_(
        "{name} comes from another branch ({branch}), not the one whose key is installed; "
        "nothing was changed."
    ),
    # --- the branch under real conditions (issue 14: gaps, conflicts, times) ---
    "batch_not_the_one": N_(
        "{name} is not the batch {seq} post {post} wrote: batch {next}, imported already, "
        "follows another file; nothing was imported. Ask the post to write batch {seq} again."
    ),
    "batch_data_bad": N_(
        "{name} holds values the branch database cannot take ({reason}); nothing was imported."
    ),
    "batch_time_order": N_(
        "{name}: batch {seq} of post {post} says it was written before the post's previous "
        "batch, or after its next one; nothing was imported."
    ),
    "batch_time_outside": N_(
        "{name}: a record of {part} carries a time later than the batch was written, or earlier "
        "than the post's previous batch; nothing was imported."
    ),
    "batch_seq_implausible": N_(
        "{name} says it is batch {seq} of post {post}, far beyond the newest this branch has "
        "from it ({newest}); nothing was imported. Ask the post what happened."
    ),
    "conflict_unknown": N_("There is no pending NIK conflict number {id}."),
    "conflict_keep_bad": N_(
        "Registration {regno} is not one of the two in conflict {id}; keep {first} or {second}."
    ),
    # --- the branch under load (issue 14, item 3) ---
    "import_running": N_("Another import is running; try again when it has finished."),
    # --- KPJ spreadsheets (issue 9) ---
    "kpj_file_not_spreadsheet": N_(
        "{path} is not an Excel workbook (.xlsx) that can be read; nothing was changed. "
        "Save it as .xlsx and try again."
    ),
    "kpj_file_no_columns": N_(
        "The first sheet of {path} has no header row with the columns NIK and KPJ; nothing was "
        "changed."
    ),
    "export_folder_missing": N_("The folder {path} does not exist; nothing was written."),
    # --- updates on the stick (issue 15) ---
    "update_no_branch_key": N_(
        "No branch key is installed at this post, so no new version can be checked; nothing was "
        "changed."
    ),
    "update_missing": N_("{name} is not there; nothing was changed."),
    "update_unsigned": N_(
        "{name} has no signature from the branch beside it ({name}.sig); it was not installed."
    ),
    "update_altered": N_(
        "{name} is not the file the branch signed (altered or damaged); it was not installed."
    ),
    "update_other_branch": N_(
        "{name} was signed by another branch ({branch}), not the one whose key is installed; "
        "it was not installed."
    ),
    "update_not_newer": N_(
        "{name} is version {version}, not newer than this program ({running}); it was not "
        "installed."
    ),
    "update_bad": N_("{name} has no usable signature ({reason}); it was not installed."),
    "update_unreadable": N_("{name} cannot be read ({reason}); nothing was changed."),
    "update_version_bad": N_(
        "{name} is not named RumahPerisai-<version>-setup.exe; give its version with --version."
    ),
    "update_coordinator": N_("Only a coordinator can install a new version of the program."),
    "update_launch_failed": N_(
        "The installer could not be started ({reason}); the program keeps running as it was."
    ),
    # --- issue 16 (A): backups and restoring a post ---
    "backup_cut": N_("The backup {name} is cut short (not copied whole); it was not used."),
    "backup_not_backup": N_("{name} is not a Rumah Perisai backup; it was not used."),
    "backup_newer_format": N_(
        "The backup {name} was made by a newer program (backup format {version}); install the "
        "newer program first. Nothing was changed."
    ),
    "backup_newer_schema": N_(
        "The backup {name} was made by a newer program (version {version}); install the newer "
        "program first. Nothing was changed."
    ),
    "backup_other_post": N_(
        "The backup {name} is of post {post}, but this data folder holds post {here}; nothing "
        "was changed."
    ),
    "backup_older_than_restored": N_(
        "The backup {name} is older than the backup already restored here (made {made}); "
        "nothing was changed."
    ),
    "backup_not_newer": N_(
        "The backup {name} is not newer than what this data folder holds; nothing was changed."
    ),
    "backup_out_missing": N_("The folder {path} does not exist; no backup was written."),
    "backup_target_missing": N_(
        "The backup folder {path} cannot be found (is the drive plugged in?); no backup was "
        "written there."
    ),
    "backup_missing": N_("{path} is not there; nothing was changed."),
    "backup_snapshot_bad": N_(
        "The copy of the database for the backup did not pass its check; no backup was written. "
        "Try again; if it fails again, call the branch."
    ),
    "backup_not_embedded": N_(
        "Only a post's own database in its data folder can be backed up; nothing was written."
    ),
    "backup_signer_unknown": N_(
        "The backup {name} was re-issued by a branch this post does not know; it was not used."
    ),
    "restore_into_branch": N_(
        "The data folder {path} belongs to a branch; a post's backup is restored only into a "
        "post's data folder."
    ),
    "restore_code_missing": N_(
        "No code was given: type the recovery code (or the branch's one-time code), or give it "
        "as one line on stdin."
    ),
    "backup_post_unknown": N_(
        "The backup {name} is of post {post}, which this branch does not know; it was not kept."
    ),
    "backup_wrong_post_key": N_(
        "The backup {name} is not signed by the key registered for post {post}; it was not used."
    ),
    # --- issue 16 (R): paper receipts after a restore ---
    "paper_receipts_pending": N_(
        "Receipts printed after the backup this post was restored from are not entered yet: "
        "payments, voids and the weekly batch wait until a coordinator finishes (File, Paper "
        "receipts after the restore)."
    ),
    "paper_branch_ahead": N_(
        "The branch already holds batch {seq} of this post, written after the backup it was "
        "restored from: restore a newer backup (the one written with batch {seq} on the "
        "stick, or the branch's copy). Payments wait until then; nothing was recorded."
    ),
    "ack_after_restore": N_(
        "{name} acknowledges batch {seq}, which this post does not have (its newest is "
        "{last}): the backup it was restored from is older than what the branch holds. "
        "Restore the newer backup (the one written with batch {seq} on the stick, or the "
        "branch's copy); payments wait until then."
    ),
    "paper_no_restore": N_(
        "This post was not restored from a backup: there are no paper receipts to enter again."
    ),
    "paper_finished": N_(
        "Entering the paper receipts after the restore is finished already; new receipts "
        "follow the last number."
    ),
    "paper_batch_since": N_(
        "A batch was written since the restore: paper receipts entered now would be older "
        "than it, and the branch would refuse them; nothing was recorded."
    ),
    "paper_number_bad": N_(
        "{number} is not a receipt number (like RP3209A-2026-000123); nothing was recorded."
    ),
    "paper_number_other_post": N_(
        "{number} is not a receipt of this post ({post}); nothing was recorded."
    ),
    "paper_number_in_backup": N_(
        "Receipt {number} is in the backup, so it is here already; nothing was recorded."
    ),
    "paper_number_used": N_("Number {number} is used already; nothing was recorded."),
    "paper_number_out_of_order": N_(
        "{number} is not the next number: enter {expected} first (a number whose paper half "
        "is lost is recorded as lost); nothing was recorded."
    ),
    "paper_year_differs": N_(
        "Receipt {number} cannot be dated in {year}: its number belongs to another year; "
        "nothing was recorded."
    ),
    "paper_time_too_early": N_(
        "Receipt {number} says {printed}, before the backup or the receipt before it "
        "({floor}): check the date and time; nothing was recorded."
    ),
    "paper_time_after_restore": N_(
        "Receipt {number} is dated after the restore, so it cannot be a paper printed before "
        "it: check the date and time; nothing was recorded."
    ),
    "paper_participant_unknown": N_(
        "Participant {ref} is not in the restored post (registered after the backup?): "
        "register them again, then record this number as lost with that reason; nothing was "
        "recorded."
    ),
    "paper_collector_unknown": N_(
        "{name} has no account at this post: add the volunteer's account again first (File, "
        "Volunteer accounts); nothing was recorded."
    ),
    "paper_month_count": N_(
        "Receipt {number}: dues are paid for 1, 3, 6 or 12 months; nothing was recorded."
    ),
    "paper_not_payable": N_(
        "Receipt {number}: participant {ref} could not pay on that day ({status}); nothing "
        "was recorded."
    ),
    "paper_months_differ": N_(
        "Receipt {number} starts with {printed}, but the participant owed {expected} first "
        "then; nothing was recorded."
    ),
    "paper_amount_differs": N_(
        "Receipt {number} says {printed}, but the rates ask {expected} for {months}; nothing "
        "was recorded."
    ),
    "paper_qr_bad": N_("The scanned code is not a receipt's QR code; nothing was recorded."),
    "paper_qr_forged": N_(
        "The QR code of receipt {number} was not signed by this post: not a genuine receipt; "
        "nothing was recorded."
    ),
    "paper_qr_other_number": N_(
        "The QR code is receipt {qr}'s, not {number}'s; nothing was recorded."
    ),
    "paper_lost_reason": N_("Say why the paper half is lost; nothing was recorded."),
    "paper_highest_needed": N_(
        "Give the highest receipt number printed since the backup (the last one entered is "
        "{number}); nothing was changed."
    ),
    "paper_highest_too_low": N_(
        "{number} is lower than the last number entered ({last}); nothing was changed."
    ),
    "paper_not_all_entered": N_(
        "Numbers {first} to {last} are not entered yet: enter their receipts, or record the "
        "lost ones; payments stay held."
    ),
    "paper_line": N_("Line {line}: {reason}"),
    "paper_file_bad": N_(
        "The file cannot be read as a CSV file of paper receipts ({reason}); nothing was recorded."
    ),
    "paper_file_empty": N_("The file holds no paper receipts; nothing was recorded."),
    "paper_field_bad": N_(
        "a date, time, first month or number of months cannot be read (date YYYY-MM-DD, time "
        "HH:MM, first_month YYYY-MM, months 1, 3, 6 or 12); nothing was recorded."
    ),
    "batch_chain_numbers": N_(
        "{name}: receipt number {number} does not follow the post's previous receipt (a "
        "number twice, or one skipped without a recorded reason); nothing was imported."
    ),
    # --- issue 18 (docs): the documents the window prints, written by commands ---
    "document_write_failed": N_(
        "The file could not be written to {path} ({reason}); nothing was left there."
    ),
    "day_not_closed": N_(
        "The cash of {day} has not been closed: close the day in the cash window first; "
        "nothing was written."
    ),
    "calls_out_kind": N_(
        "{path}: the call list is written as a spreadsheet (.xlsx) or for paper (.pdf); "
        "nothing was written."
    ),
    "desa_unknown": N_("{code} is not a known desa/kelurahan code (like 32.09.14.2001)."),
    # --- issue 19 (BRANCH): a post's data requests at the branch, post-subjects ---
    "batch_erasure_unexplained": N_(
        "{name}: registration {regno} arrives emptied without the post's erasure request; "
        "nothing was imported."
    ),
    "subjects_future_day": N_(
        "{day} has not come yet: the list says whose data a post held on a day that has passed."
    ),
    "subjects_out_kind": N_(
        "{path}: the list is written as a spreadsheet, a file whose name ends in .xlsx; "
        "nothing was written."
    ),
    # --- issue 19 (report): a person's report ---
    "out_folder_unwritable": N_("The folder {path} cannot be written; nothing was written."),
    # --- issue 19 (access): who looked at a participant ---
    "access_dates_reversed": N_(
        "The first day ({first}) is after the last day ({last}); nothing was shown."
    ),
    # --- issue 19 (ERASE): a person's requests, withdrawal of consent, erasure ---
    "request_kind_unknown": N_(
        "{kind} is not a request recorded here (access, copy or correct; withdraw and erase have "
        "commands of their own); nothing was recorded."
    ),
    "request_how_unknown": N_("{how} is not how a request is made (one of {hows})."),
    "request_note_too_long": N_(
        "The note is longer than {limit} characters; nothing was recorded."
    ),
    "request_made_on_future": N_("The request cannot be made on {day}, a day still to come."),
    "request_already_ended": N_(
        "The membership of {registration_no} already ended at the person's request; nothing "
        "changed."
    ),
    "request_not_member": N_(
        "{registration_no} is withdrawn or rejected: there is no membership to end; nothing "
        "changed."
    ),
    "request_already_erased": N_(
        "The data of {registration_no} was already erased at the person's request; nothing changed."
    ),
    "request_erase_open_receipt": N_(
        "{registration_no} has receipt {receipt} not yet in a daily close: close that day's "
        "cash first, then erase; nothing changed."
    ),
    "nik_ended": N_(
        "NIK {nik} is {registration_no}, whose membership ended at the person's request; "
        "nothing was saved."
    ),
    "erasure_list_unreadable": N_(
        "The erasure list {path} cannot be read: restore it from the branch before going on."
    ),
    "batch_copy_erased": N_(
        "Batch {seq} carried data since erased at the person's request; its copy was removed "
        "after the branch acknowledged it, so it cannot be written again."
    ),
    "request_missing": N_("There is no request number {number} at this post."),
    # --- issue 19 (lead): after the review ---
    "card_membership_ended": N_("{name}'s membership ended at their request: no card is made."),
    # --- issue 20 (lead): lists posts already keep ---
    "sheet_too_big": N_(
        "{path} is {size}; a list of participants is at most {limit}. Split it into smaller "
        "files; nothing was imported."
    ),
    "sheet_too_many_rows": N_(
        "{path} has more than {limit} rows; split it into smaller files. Nothing was imported."
    ),
    "sheet_empty": N_("{path} is empty; nothing was imported."),
    "sheet_password": N_(
        "{path} is protected with a password: open it in Excel, remove the password (File → "
        "Info → Protect Workbook), save it and try again. Nothing was imported."
    ),
    "sheet_old_excel": N_(
        "{path} is an old Excel file (.xls): open it in Excel or LibreOffice and save it as "
        ".xlsx, then try again. Nothing was imported."
    ),
    "sheet_opendocument": N_(
        "{path} is a LibreOffice spreadsheet (.ods): save it as .xlsx and try again. Nothing "
        "was imported."
    ),
    "sheet_not_a_list": N_(
        "{path} is not a spreadsheet (XLSX) or CSV file that can be read; nothing was imported."
    ),
    "sheet_no_rows": N_(
        "{path} has no rows of participants under its header; nothing was imported."
    ),
    "sheet_unknown": N_("There is no sheet {sheet}; the workbook has: {names}."),
    "import_columns_missing": N_(
        "No column of the list is chosen for: {fields}. Choose them and check again; nothing "
        "was imported."
    ),
    "import_column_twice": N_("Two columns are chosen for: {fields}. Choose one each."),
    "import_consent_needed": N_(
        "Confirm first that the people on this list signed their consent on paper; nothing "
        "was imported."
    ),
    "import_duplicate_reason_needed": N_(
        "Give the reason for each possible duplicate to be registered anyway; nothing was imported."
    ),
    "mapping_not_json": N_(
        '{path} is not a mapping: write JSON such as {{"No KTP": "nik", "Nama": "name"}}.'
    ),
    "mapping_bad_field": N_("{field} is not a field; the fields are: {fields}."),
    "mapping_bad_column": N_("The list has no column {column}."),
    "import_result_unwritten": N_(
        "The import is saved, but the result file was not written: {reason}"
    ),
    # --- issue 20: branch ---
    "members_file_empty": N_("{path} is empty; nothing was changed."),
    "members_file_protected": N_(
        "{path} is protected by a password, or is an old Excel file (.xls); nothing was changed. "
        "Open it in Excel and save it as .xlsx without a password."
    ),
    "members_file_no_columns": N_(
        "The first sheet of {path} has no header row with the columns NIK and KPJ; nothing was "
        "changed."
    ),
    "members_file_no_rows": N_(
        "{path} has the columns NIK and KPJ but no rows under them; nothing was changed."
    ),
}
