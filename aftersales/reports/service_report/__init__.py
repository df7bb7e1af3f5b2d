"""The service report of a customer's contract for a month, quarter or year: its figures (`figures`), the
availability arithmetic (`availability`), the drafted recommendations (`recommendations`) and the readable
form the page, the PDF and the Excel file share (`presentation`)."""
