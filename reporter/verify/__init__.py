"""`reporter check FILE.pdf`: re-verify a published PDF from the evidence it carries."""
