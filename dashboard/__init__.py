"""The Streamlit dashboard (run dashboard/app.py)."""
