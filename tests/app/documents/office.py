"""LibreOffice for the tests: the Word files the app writes, opened, converted and saved again the way
a clerk's office program does (`soffice --headless`), many files per run (each start costs seconds).

LibreOffice runs with a profile of its own (never one a desktop session is using) and with the
shipped faces standing in for the official names the Word files ask for (仿宋_GB2312 → AR PL SungtiL
GB …), as the PDFs fall back to them on a machine without the official fonts."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.common.resources import shipped_dir
from app.documents.word import FACES

# the official name -> the shipped face that stands in for it (as app.documents.fonts.SHIPPED)
STAND_INS = {"title": "WenQuanYi Micro Hei", "fangsong": "AR PL SungtiL GB", "hei": "WenQuanYi Micro Hei",
             "kai": "AR PL KaitiM GB", "song": "AR PL SungtiL GB"}


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


def _environment(work: Path) -> dict:
    aliases = "".join(
        f"<alias binding=\"same\"><family>{name}</family><prefer><family>{STAND_INS[role]}</family></prefer></alias>"
        f"<alias binding=\"same\"><family>{alt}</family><prefer><family>{STAND_INS[role]}</family></prefer></alias>"
        for role, (name, alt) in FACES.items())
    conf = work / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{shipped_dir('resources') / 'fonts'}</dir><cachedir>{work / 'fc-cache'}</cachedir>"
        f"{aliases}</fontconfig>", encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(work)}


def convert(files: list[Path], to: str, outdir: Path, work: Path) -> list[Path]:
    """`files` converted by one LibreOffice run to `to` ("pdf", "docx") in `outdir`."""
    outdir.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    profile = (work / "profile").as_uri()
    command = [soffice(), f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", to,
               "--outdir", str(outdir), *map(str, files)]
    subprocess.run(command, check=True, capture_output=True, timeout=600, env=_environment(work))
    out = [outdir / (Path(f).stem + "." + to.split(":")[0]) for f in files]
    missing = [p.name for p in out if not p.exists()]
    assert not missing, f"LibreOffice wrote no {missing}"
    return out
