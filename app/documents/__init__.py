"""PDF documents (reportlab): GB/T 9704 official documents, sign-in sheets, flowcharts."""
