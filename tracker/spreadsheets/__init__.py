"""Spreadsheets: importing adoption records from CSV, and exporting events and records as CSV and XLSX."""
