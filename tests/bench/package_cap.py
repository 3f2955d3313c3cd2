"""Benchmark (not collected by pytest): time and peak memory of a package at the size cap.

    python tests/bench/package_cap.py [--work DIR] [--scale-store DIR] [--code DIR]

Builds the demo subdistrict with 40 attachments of 25 MiB of random bytes (they do not compress):
a full package of about 1,000 MiB, just under the 1 GiB cap, mostly attachment bytes. Then, each in
a fresh process, prints the time and peak resident memory (VmHWM) of: the export, a dry-run
import into an empty office, and the import. With --scale-store (a store built by
tests/bench/generate.py: 622,000 rows, no attachments) the same three for its full package, the
case of many rows. The baseline is a process that opens the demo store and reads its ledger.
--code runs the measured processes on another checkout's `app` (an earlier version, to compare).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

FILES, FILE_MB = 40, 25
PASSPHRASE = "基准测试口令"

MEASURE = """
import json, sys, time
sys.path.insert(0, {root!r})


def peak_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024


started = time.perf_counter()
{body}
print(json.dumps({{"seconds": time.perf_counter() - started, "peak_mb": peak_mb(), "result": result}}))
"""

BASELINE = """
from app.store import Store
from app.services.opinions import OpinionFilter
with Store.open({source!r}, lock=False) as store:
    result = len(store.opinions.page(OpinionFilter()))
"""

EXPORT = """
from app.exchange.export import export_package
from app.store import Store
with Store.open({source!r}, lock=False) as store:
    made = export_package(store, {stick!r}, {passphrase!r})
result = {{"path": made["path"], "size": made["size"], "rows": made["rows"], "files": made["files"]}}
"""

IMPORT = """
from app.exchange.merge import import_package
from app.store import Store
with Store.open({target!r}) as store:
    done = import_package(store, {path!r}, {passphrase!r}, dry_run={dry_run!r})
result = {{"added": done["added"]}}
"""


CODE = ROOT  # whose `app` the measured processes run (--code)


def run(body: str, **values) -> dict:
    code = MEASURE.format(root=str(CODE), body=body.format(**values).strip())
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def build_cap_store(folder: Path) -> Path:
    """The demo subdistrict with FILES random attachments of FILE_MB MiB on its opinions."""
    from app.fronts.demo import build_demo
    from app.services.opinions import OpinionFilter
    from app.store import Store

    source = folder / "office"
    sources = folder / "files"
    sources.mkdir(parents=True)
    with Store.open(source) as store:
        build_demo(store)
        opinions = store.opinions.page(OpinionFilter())
        for n in range(FILES):
            path = sources / f"现场照片{n + 1:02d}.jpg"
            with open(path, "wb") as handle:
                for _ in range(FILE_MB):
                    handle.write(os.urandom(1 << 20))
            store.opinions.add_file(opinions[n % len(opinions)]["id"], path)
            path.unlink()
    return source


def measure(label: str, slug: str, source: Path, work: Path) -> list[tuple[str, dict]]:
    stick = work / f"stick-{slug}"
    stick.mkdir()
    out = [(f"{label}: export", run(EXPORT, source=str(source), stick=str(stick), passphrase=PASSPHRASE))]
    path = out[0][1]["result"]["path"]
    for dry_run in (True, False):
        target = work / f"target-{slug}-{'dry' if dry_run else 'import'}"
        out.append((f"{label}: {'dry-run import' if dry_run else 'import'}",
                    run(IMPORT, target=str(target), path=path, passphrase=PASSPHRASE, dry_run=dry_run)))
        shutil.rmtree(target, ignore_errors=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", help="a folder with ~6 GB free (default: a temp folder, removed after)")
    parser.add_argument("--scale-store", help="also measure the full package of this store (many rows)")
    parser.add_argument("--code", help="measure this checkout's app instead (its root folder)")
    args = parser.parse_args()
    global CODE
    CODE = Path(args.code).resolve() if args.code else ROOT
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="yishi-pkgcap-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"正在生成演示数据库和 {FILES} 个 {FILE_MB} MiB 的附件 …", flush=True)
        source = build_cap_store(work)
        rows = [("baseline: open the demo, read the ledger", run(BASELINE, source=str(source)))]
        rows += measure("cap (1,000 MiB of attachments)", "cap", source, work)
        if args.scale_store:
            scale = work / "scale"
            shutil.copytree(args.scale_store, scale, ignore=shutil.ignore_patterns("yishi.lock"))
            rows += measure("scale store (many rows)", "scale", scale, work)
        print()
        print(f"app: {CODE}")
        print(f"{'measure':<46}{'seconds':>9}{'peak RSS MB':>13}   detail")
        print("-" * 96)
        for label, figures in rows:
            result = figures["result"]
            detail = (f"{result['size'] / (1 << 20):.0f} MiB, {result['rows']} rows, {result['files']} files"
                      if isinstance(result, dict) and "size" in result else
                      f"{result['added']} rows added" if isinstance(result, dict) else f"{result} opinions")
            print(f"{label:<46}{figures['seconds']:>9.1f}{figures['peak_mb']:>13.0f}   {detail}")
        print("\ngoal: export, dry-run import and import of a package at the cap each ≤ 500 MB peak RSS"
              "\n      (VmHWM of a fresh process doing only that; the baseline shows what opening a store costs)")
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
