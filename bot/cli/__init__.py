"""The `stockbot` command line: one function per subcommand (`main.py`, `emag.py`) and
the terminal renderings (`textviews.py`).

A face of the application: it may import every wing; nothing imports it.
"""
