"""Document templates: versioned .docx templates (docxtpl placeholders) rendered in a sandboxed Jinja
environment into project documents, with a documented variable catalogue per document type, Chinese
dates and capital-numeral amounts. Generated documents for a milestone become versions of its
deliverables, so a milestone or gate that requires a document type is satisfied by them."""
