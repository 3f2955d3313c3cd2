"""The `yishi` entry point: a command runs headless; no command opens the desktop app."""

import sys


def main(argv: list[str] | None = None) -> int:
    from app.cli import main as cli_main

    def gui(data_dir=None):
        from ui.main import run_gui

        return run_gui(data_dir=data_dir)

    return cli_main(argv, gui=gui)


if __name__ == "__main__":
    sys.exit(main())
