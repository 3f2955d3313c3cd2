"""An export is never written under a suffix that says it is something else: `--out x.pdf` on a
register used to write an Excel file under a .pdf name. The allowed suffixes are one table
(app.common.outputs), asked by the exports themselves."""

import pytest

from app.common.outputs import SUFFIXES, check_out, dialog_filter, suffix_of_entry, with_default_suffix
from app.fronts import cli
from app.store import Store
from tests.conftest import ROOT, digest


@pytest.mark.parametrize("command, right", [
    (["export", "register", "roster", "--out", "{out}/花名册.pdf"], ".xlsx"),
    (["export", "register", "ledger", "--out", "{out}/台账"], ".xlsx"),
    (["export", "doc", "filing", "--out", "{out}/备案报告.xlsx"], ".pdf"),
    (["export", "doc", "ledger", "--out", "{out}/台账.doc"], ".docx"),
    (["export", "archive", "--out", "{out}/归档.pdf"], ".zip"),
])
def test_an_out_whose_suffix_does_not_match_what_is_written_is_refused(demo_dir, tmp_path, capsys, command, right):
    """`--out x.pdf` on a register used to write an Excel file under a .pdf name."""
    out = tmp_path / "out"
    out.mkdir()
    with Store.open(demo_dir) as store:
        before = digest(store)
    code = cli.main(["--data-dir", str(demo_dir), *[part.format(out=out) for part in command]])
    err = capsys.readouterr().err
    assert code == 1 and right in err and "程序内部错误" not in err, err
    assert list(out.iterdir()) == []
    with Store.open(demo_dir) as store:
        assert digest(store) == before


def test_a_roster_report_under_the_wrong_suffix_is_refused_before_anything_is_imported(tmp_path, capsys):
    data_dir = tmp_path / "data"
    with Store.open(data_dir) as store:
        before = digest(store)
    code = cli.main(["--data-dir", str(data_dir), "import", "delegates", str(ROOT / "tests/data/roster_sample.xlsx"),
                     "--report", str(tmp_path / "检查结果.pdf")])
    assert code == 1 and ".xlsx" in capsys.readouterr().err
    with Store.open(data_dir) as reopened:
        assert digest(reopened) == before


def test_each_kind_names_its_suffix_and_takes_it_in_any_case():
    for kind, allowed in SUFFIXES.items():
        for suffix in allowed:
            assert check_out(kind, f"文件{suffix.upper()}").suffix == suffix.upper()
    with pytest.raises(Exception, match="例如“花名册.xlsx”"):
        check_out("register", "花名册.xls")


def test_a_document_is_a_pdf_or_a_word_file_and_a_bare_name_takes_the_type_picked():
    assert SUFFIXES["doc"] == (".pdf", ".docx")
    assert dialog_filter("doc") == "PDF 文件 (*.pdf);;Word 文档 (*.docx)"
    assert suffix_of_entry("doc", "Word 文档 (*.docx)") == ".docx"
    assert suffix_of_entry("doc", "其他") == ".pdf"
    assert with_default_suffix("doc", "纪要", ".docx").name == "纪要.docx"
    assert with_default_suffix("doc", "纪要").name == "纪要.pdf"
    assert with_default_suffix("doc", "纪要.pdf", ".docx").name == "纪要.pdf"  # what was typed wins
    with pytest.raises(Exception, match="PDF 文件（.pdf）或Word 文档（.docx）"):
        check_out("doc", "纪要.doc")
