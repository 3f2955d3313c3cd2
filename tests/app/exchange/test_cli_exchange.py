"""`yishi package export|import`, `backup`, `restore` as a script would use them."""

import json

from app.store import Store
from tests.conftest import digest, run_cli


def test_package_round_trip_through_the_cli(demo_dir, tmp_path):
    secret = tmp_path / "pass.txt"
    secret.write_text("中山路-2026\n", encoding="utf-8")
    stick = tmp_path / "stick"
    stick.mkdir()
    out = json.loads(run_cli("--data-dir", demo_dir, "package", "export", "--out", stick, "--passphrase-file",
                             secret, "--office", "区人大常委会", "--json", check=True).stdout)
    name = out["path"].rsplit("/", 1)[-1]
    assert name.startswith("中山路街道人大工委_") and name.endswith(".yspkg") and out["kind"] == "full"
    other = tmp_path / "other"
    # a mistyped folder is refused, not answered by an empty new database
    missing = run_cli("--data-dir", other, "package", "import", out["path"], "--passphrase-file", secret, "--dry-run")
    assert missing.returncode == 1 and "这里没有议事工作台的数据" in missing.stderr and not other.exists()
    run_cli("--data-dir", other, "init", check=True)  # the new office starts its store first
    dry = json.loads(run_cli("--data-dir", other, "package", "import", out["path"], "--passphrase-file", secret,
                             "--dry-run", "--json", check=True).stdout)
    assert dry["dry_run"] and dry["added"] > 4000
    with Store.open(other) as store:
        assert store.delegates.count() == 0
    done = json.loads(run_cli("--data-dir", other, "package", "import", out["path"], "--passphrase-file", secret,
                              "--json", check=True).stdout)
    assert done["added"] == dry["added"]
    a = json.loads(run_cli("--data-dir", demo_dir, "stats", "--json", check=True).stdout)
    b = json.loads(run_cli("--data-dir", other, "stats", "--json", check=True).stdout)
    assert a == b  # the acceptance, literally: B's `stats --json` equals A's
    assert (other / "backups").is_dir() and list((other / "backups").glob("*-import.db"))


def test_refused_import_exits_1_and_changes_nothing(demo_dir, tmp_path):
    secret, wrong = tmp_path / "p.txt", tmp_path / "w.txt"
    secret.write_text("对的口令", encoding="utf-8")
    wrong.write_text("错的口令", encoding="utf-8")
    out = json.loads(run_cli("--data-dir", demo_dir, "package", "export", "--out", tmp_path / "x.yspkg",
                             "--passphrase-file", secret, "--json", check=True).stdout)
    assert out["path"].endswith("x.yspkg")
    other = tmp_path / "other"
    run_cli("--data-dir", other, "init", check=True)
    with Store.open(other) as store:
        before = digest(store)
    result = run_cli("--data-dir", other, "package", "import", out["path"], "--passphrase-file", wrong, "--json")
    assert result.returncode == 1 and "口令不正确" in result.stderr and json.loads(result.stdout)["ok"] is False
    with Store.open(other) as store:
        assert digest(store) == before


def test_backup_and_restore_keep_the_replaced_database(demo_dir, tmp_path):
    copy = json.loads(run_cli("--data-dir", demo_dir, "backup", "--out", tmp_path, "--json", check=True).stdout)
    with Store.open(demo_dir) as store:
        store.groups.update(store.groups.list()[0]["id"], {"focus": "备份之后的修改"})
    restored = json.loads(run_cli("--data-dir", demo_dir, "restore", copy["path"], "--json", check=True).stdout)
    assert (demo_dir / restored["aside"]).is_file()
    with Store.open(demo_dir) as store:
        assert store.groups.list()[0]["focus"] != "备份之后的修改"
        assert "从备份恢复" in store.scalar("SELECT summary FROM audit ORDER BY seq DESC LIMIT 1")
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database")
    result = run_cli("--data-dir", demo_dir, "restore", bad)
    assert result.returncode == 1 and "不是议事工作台的数据库备份" in result.stderr
