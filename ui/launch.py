"""The `yishi` entry point: a command runs headless; no command opens the desktop app."""

import sys


def _gui_only(argv: list[str]) -> tuple[bool, str | None]:
    """`yishi` or `yishi --data-dir D`: open the window without building the CLI parser."""
    if not argv:
        return True, None
    if len(argv) == 2 and argv[0] == "--data-dir":
        return True, argv[1]
    if len(argv) == 1 and argv[0].startswith("--data-dir="):
        return True, argv[0].split("=", 1)[1]
    return False, None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv

    def gui(data_dir=None):
        from ui.main import run_gui

        return run_gui(data_dir=data_dir)

    plain, data_dir = _gui_only(argv)
    if plain:  # the common case, kept lean: start-up time is the window's
        return gui(data_dir)
    from app.fronts.cli import main as cli_main

    return cli_main(argv, gui=gui)


if __name__ == "__main__":
    # A large package is checked in a second process (app.exchange.checking): in the frozen
    # executable that process starts as this one and must be told apart before anything else.
    import multiprocessing

    multiprocessing.freeze_support()
    sys.exit(main())
