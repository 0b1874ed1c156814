"""Writes to benefits: awards (`awards`), the payroll (`payroll`), bank files (`bank_files`)."""
