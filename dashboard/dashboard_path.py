"""Imported first by app.py and every page: puts the repository root on sys.path so that
`dashboard.*` imports work however Streamlit starts a script (the entrypoint's folder is always on
sys.path, the repository root is not)."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
