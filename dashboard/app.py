"""Placeholder entrypoint; the dashboard issue replaces it."""
import streamlit as st

st.set_page_config(page_title="预算执行与绩效运行监控看板", layout="wide")
st.title("预算执行与绩效运行监控看板")
