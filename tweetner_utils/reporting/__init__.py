"""Stage 5, reporting: results JSON, charts, HTML pages and the business summary's sections."""
