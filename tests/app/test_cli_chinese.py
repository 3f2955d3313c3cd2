"""Every help text and usage error of `yishi` is Chinese: the only Latin words are the command's
own names, options and the kinds typed after them (init, export, --out, roster…)."""

import argparse
import re

from app.fronts.cli import build_parser

ACRONYMS = {"JSON", "PDF", "Excel", "SHA", "USB", "yishi", "ID", "xlsx", "xls", "ods", "pdf", "yspkg", "zip", "csv", "db",
            "Word", "WPS", "docx",  # the office programs a document is retouched in, and its suffix
            "backups"}  # the folder the clerk finds on disk
WORD = re.compile(r"(?<![-A-Za-z_])[A-Za-z][A-Za-z_]{2,}")


def _parsers(parser: argparse.ArgumentParser, path=()):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*path, name))


def _typed_names(parser) -> set[str]:
    """What a user types: command names, choices and the identifiers a help text lists."""
    names = set()
    for _, p in _parsers(parser):
        for action in p._actions:
            names |= set(action.choices or ()) if not isinstance(action.choices, dict) else set(action.choices)
            names |= {word for option in action.option_strings for word in option.lstrip("-").split("-")}
            names |= set(re.findall(r"[a-z_]+", action.help or "")) if "、" in (action.help or "") else set()
            if action.dest:
                names.add(action.dest)
    return names


def english_words(text: str, allowed: set[str]) -> list[str]:
    return [w for w in WORD.findall(text) if w not in ACRONYMS and w not in allowed]


def test_every_help_text_is_chinese():
    parser = build_parser()
    allowed = _typed_names(parser)
    seen = 0
    for path, sub in _parsers(parser):
        found = english_words(sub.format_help(), allowed)
        assert found == [], (" ".join(("yishi", *path)), found)
        seen += 1
    assert seen > 15  # every command and subcommand was walked


def test_a_missing_argument_and_a_wrong_one_are_told_in_chinese(capsys):
    parser = build_parser()
    allowed = _typed_names(parser)
    for argv in (["export"], ["export", "doc"], ["list", "nonsense"], ["--frobnicate"], ["stats", "--year", "abc"]):
        try:
            parser.parse_args(argv)
        except SystemExit:
            pass
        err = capsys.readouterr().err
        assert "用法" in err and english_words(err, allowed | set(argv)) == [], (argv, err)  # the typed word echoed


def test_the_walk_sees_english_when_there_is_some():
    assert english_words("usage: the following arguments are required", set()) == [
        "usage", "the", "following", "arguments", "are", "required"]
