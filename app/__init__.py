"""Yishi Desk core: the Qt-free store, domain services, registers and CLI."""

__version__ = "0.1.0"
APP_NAME = "议事工作台"
