"""Restore is a door too: a backup holding rows the rule book refuses (an older version's, a hand
edit's) is restored only when the clerk accepts them marked; otherwise nothing changes."""

from __future__ import annotations

import json
import sqlite3

from app.storage.backup import list_backups
from app.store import Store
from tests.conftest import digest, run_cli


def test_a_backup_with_a_bad_row_is_refused_unless_accepted_and_then_shown_marked(demo_dir):
    assert run_cli("--data-dir", demo_dir, "backup", check=True).returncode == 0
    with Store.open(demo_dir) as store:
        backup = list_backups(store.data_dir)[0]["path"]
        opinion = store.rows("SELECT id, title FROM opinions WHERE deleted = 0 LIMIT 1")[0]
    conn = sqlite3.connect(backup)  # the backup edited behind the program's back
    conn.execute("UPDATE opinions SET status = 'awaiting_review', residents = -5 WHERE id = ?", [opinion["id"]])
    conn.commit()
    conn.close()
    with Store.open(demo_dir) as store:
        before = digest(store)

    refused = run_cli("--data-dir", demo_dir, "restore", backup)
    assert refused.returncode == 1
    assert "不符合录入规则" in refused.stderr and opinion["title"][:10] in refused.stderr
    assert "--accept-marked" in refused.stderr
    with Store.open(demo_dir) as store:
        assert digest(store) == before

    accepted = run_cli("--data-dir", demo_dir, "restore", backup, "--accept-marked")
    assert accepted.returncode == 0, accepted.stderr
    report = json.loads(run_cli("--data-dir", demo_dir, "check", "--json").stdout)
    fields = {(b["id"], b["field"]) for b in report["rules"]["breaches"]}
    assert {(opinion["id"], "status"), (opinion["id"], "residents")} <= fields
    listed = run_cli("--data-dir", demo_dir, "list", "opinions")
    assert listed.returncode == 0
