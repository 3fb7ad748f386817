"""Exports: the project monitoring report and the department 通报 (Word), the monitoring table
(Excel), and a zip of every project's report. Pure rendering of a `Status` and the notes."""

from .bundle import report_filename, reports_zip, write_reports_zip
from .data import ReportData, default_report_date, load, notes_in_force
from .department import department_report
from .department import report_title as department_report_title
from .extract import docx_lines, xlsx_lines
from .pdf import to_pdf
from .project import project_report, render_project_report, report_paragraphs, report_title, tracking_conclusion
from .table import monitoring_table, render_table, sheet_names

__all__ = [
    "ReportData", "default_report_date", "department_report", "department_report_title", "docx_lines", "load", "monitoring_table",
    "notes_in_force", "project_report", "render_project_report", "render_table", "report_filename", "report_paragraphs", "report_title",
    "reports_zip", "sheet_names", "to_pdf", "tracking_conclusion", "write_reports_zip", "xlsx_lines",
]
