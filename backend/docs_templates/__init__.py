"""Document templates: versioned .docx templates rendered into project documents (arrives with deliverables)."""
