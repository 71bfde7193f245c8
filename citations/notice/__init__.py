"""The citation notice: what the person receives, as a PDF, in their language."""
