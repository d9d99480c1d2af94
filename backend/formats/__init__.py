"""Number and date formats where the project's readers expect other than Django's defaults
(``FORMAT_MODULE_PATH``): only the names set here override Django's own locale formats."""
