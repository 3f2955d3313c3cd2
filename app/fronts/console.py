"""`yishi-cli`: the headless commands, frozen on their own (no Qt in this executable)."""

import sys

from app.fronts.cli import main

if __name__ == "__main__":
    sys.exit(main())
