"""`yishi-cli`: the headless commands, frozen on their own (no Qt in this executable)."""

import multiprocessing
import sys

from app.fronts.cli import main

if __name__ == "__main__":
    # A large package is checked in a second process (app.exchange.checking): in the frozen
    # executable that process starts as this one and must be told apart here.
    multiprocessing.freeze_support()
    sys.exit(main())
