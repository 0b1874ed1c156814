"""Certificates: PDFs a citizen downloads (benefits received, pension amount), each with a QR
code to a public page that confirms it is genuine and unchanged. See docs/certificates.md."""
