"""Benchmark (not collected by pytest): reading rosters at the caps of app/workbooks, in time and
peak memory (RSS) of a fresh process each, for .xlsx, .xls and .ods.

    python tests/bench/workbooks.py [--dir DIR] [--baseline]

Builds, in DIR (default: a temp folder):
- a ~10 MB .xlsx within every cap: a roster header, then 20,000 rows (the row cap) of 32 columns
  of random Chinese text, 640,000 filled cells as shared strings (as Excel writes them), ~46 MB
  of XML (the parsed-XML cap is 48 MB);
- the same roster as .xls and .ods, saved by LibreOffice (`soffice`, skipped when missing); the
  .ods with fewer columns, since its XML for one cell is over twice an .xlsx's and the parsed-XML
  cap (MAX_PARSED) is the same;
- a "styled emptiness" .xlsx: MAX_PARSED of empty formatted cells (a sheet formatted far past its
  data), the XML a read must walk through within the caps.
Then, for each file, in a fresh process: `read_sheets` (the reader alone) and `yishi import
delegates FILE --dry-run` against a new store (the clerk's whole check), printing seconds and peak
RSS. --baseline also times openpyxl's full load (what the reader did before) on the .xlsx.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

HEADER = ["序号", "姓名", "性别", "所在村（社区）", "联系电话", "议事小组"]
CHARS = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]


def _text(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(CHARS) for _ in range(length))


def _xlsx(path: Path, strings: list[str], sheet_rows: str, styles_extra: str = "") -> None:
    """A minimal workbook as Excel writes one: shared strings, one sheet."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" '
        f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        '<sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{main}"><cellXfs count="2">'
        '<xf numFmtId="0"/><xf numFmtId="49"/></cellXfs></styleSheet>',
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">' + "".join(f"<si><t>{text}</t></si>" for text in strings) + "</sst>",
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>'
        + sheet_rows + "</sheetData></worksheet>",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def build_xlsx(path: Path, rows: int, cols: int, length: int, seed: int = 1) -> None:
    """A roster header, then `rows` - 1 rows of random Chinese text, every cell a shared string."""
    rng = random.Random(seed)
    strings: list[str] = []
    lines = []
    letters = [_column(c) for c in range(cols)]
    for row in range(rows):
        if row == 0:
            values = HEADER + [f"备注{i}" for i in range(cols - len(HEADER))]
        else:
            values = [str(row), _text(rng, 3), rng.choice("男女"), _text(rng, 4) + "社区", f"138{row:08d}",
                      *[_text(rng, length) for _ in range(cols - 5)]]
        cells = []
        for col, value in enumerate(values):
            strings.append(value)
            cells.append(f'<c r="{letters[col]}{row + 1}" t="s"><v>{len(strings) - 1}</v></c>')
        lines.append(f'<row r="{row + 1}">{"".join(cells)}</row>')
    _xlsx(path, strings, "".join(lines))


def build_styled_emptiness(path: Path, target_bytes: int) -> None:
    """A roster of 50 rows, then empty formatted cells until the sheet XML is `target_bytes`."""
    strings = list(HEADER)
    lines = ['<row r="1">' + "".join(f'<c r="{_column(c)}1" t="s"><v>{c}</v></c>' for c in range(len(HEADER)))
             + "</row>"]
    for row in range(2, 51):
        values = [f"代表{row}", "男", "红旗社区", f"138{row:08d}", "老城小组"]
        cells = [f'<c r="A{row}"><v>{row - 1}</v></c>']
        for col, value in enumerate(values, 1):
            strings.append(value)
            cells.append(f'<c r="{_column(col)}{row}" t="s"><v>{len(strings) - 1}</v></c>')
        lines.append(f'<row r="{row}">{"".join(cells)}</row>')
    size, row = 0, 51
    empty = [f'<c r="{_column(c)}{{row}}" s="1"/>' for c in range(8)]
    while size < target_bytes:
        line = f'<row r="{row}">' + "".join(cell.format(row=row) for cell in empty) + "</row>"
        lines.append(line)
        size += len(line)
        row = row + 1 if row < 19_000 else 51  # rows repeat: the XML grows, the used range does not
    _xlsx(path, strings, "".join(lines))


def convert(source: Path, suffix: str, folder: Path) -> Path | None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return None
    subprocess.run([soffice, "--headless", "--convert-to", suffix.lstrip("."), "--outdir", str(folder), str(source)],
                   capture_output=True, timeout=1800, check=False)
    made = folder / (source.stem + suffix)
    return made if made.exists() else None


PROBE = """
import atexit, os, time
def _report():
    with open('/proc/self/status') as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith('VmHWM'))
    with open(os.environ['YISHI_BENCH_REPORT'], 'w') as out:
        out.write(f'{peak} {time.process_time()}')
atexit.register(_report)
"""


def measure(code: str, *args: str) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB, the process's own VmHWM) of a fresh process."""
    with tempfile.NamedTemporaryFile(suffix=".txt", delete=False) as report:
        where = report.name
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", PROBE + code, *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "YISHI_BENCH_REPORT": where})
    elapsed = time.monotonic() - started
    if result.returncode:
        print(f"    （退出码 {result.returncode}：{result.stderr.strip()[-300:]}）")
    peak_kb, cpu = Path(where).read_text().split()
    Path(where).unlink()
    return elapsed, float(cpu), int(peak_kb) / 1024


READ = "import sys\nfrom app.workbooks import read_sheets\nread_sheets(sys.argv[1])\n"
DRY_RUN = "import sys\nfrom app.fronts.cli import main\nsys.exit(main(sys.argv[1:]))\n"
BASELINE = "import sys\nfrom openpyxl import load_workbook\nload_workbook(sys.argv[1])\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--baseline", action="store_true", help="also time openpyxl's full load of the .xlsx")
    options = parser.parse_args()
    folder = options.dir or Path(tempfile.mkdtemp(prefix="yishi-bench-wb-"))
    folder.mkdir(parents=True, exist_ok=True)
    from app.workbooks.base import MAX_CELLS, MAX_PARSED, MAX_ROWS

    files: list[tuple[str, Path]] = []
    xlsx = folder / "roster_at_the_caps.xlsx"
    narrow = folder / "roster_for_ods.xlsx"
    styled = folder / "styled_emptiness.xlsx"
    if not xlsx.exists():
        build_xlsx(xlsx, MAX_ROWS, 32, 6)
    files.append(("xlsx", xlsx))
    xls = folder / "roster_at_the_caps.xls"
    if xls.exists() or convert(xlsx, ".xls", folder):
        files.append(("xls", xls))
    ods = folder / "roster_for_ods.ods"
    if not ods.exists():
        if not narrow.exists():
            build_xlsx(narrow, MAX_ROWS, 18, 6, seed=2)
        convert(narrow, ".ods", folder)
    if ods.exists():
        files.append(("ods", ods))
    if not styled.exists():
        build_styled_emptiness(styled, MAX_PARSED - (1 << 20))
    files.append(("xlsx 空白格式", styled))

    store = folder / "store"
    if not (store / "yishi.db").exists():
        subprocess.run([sys.executable, "-m", "app.fronts.cli", "--data-dir", str(store), "init"], cwd=ROOT, check=True,
                       capture_output=True)
    print(f"上限：{MAX_ROWS} 行、{MAX_CELLS} 个单元格、解压后的表格 XML {MAX_PARSED >> 20} MB；目标 ≤ 15 秒、≤ 500 MB")
    print("（秒：实际经过的时间 / 其中 CPU 时间；峰值：进程自身的最大常驻内存 VmHWM）")
    print(f"{'文件':<16}{'大小':>8}   {'读取 秒':>12}{'峰值 MB':>9}   {'试导入 秒':>12}{'峰值 MB':>9}")
    for label, path in files:
        read = measure(READ, str(path))
        dry = measure(DRY_RUN, "--data-dir", str(store), "import", "delegates", str(path), "--dry-run", "--json")
        print(f"{label:<16}{path.stat().st_size / (1 << 20):>6.1f}MB   {read[0]:>6.1f}/{read[1]:<5.1f}{read[2]:>9.0f}   "
              f"{dry[0]:>6.1f}/{dry[1]:<5.1f}{dry[2]:>9.0f}")
    if options.baseline:
        wall, cpu, peak = measure(BASELINE, str(xlsx))
        print(f"openpyxl 完整载入 .xlsx（原先的读法）：{wall:.1f}/{cpu:.1f} 秒，峰值 {peak:.0f} MB")
    print(f"文件在 {folder}")


if __name__ == "__main__":
    main()
