"""teipress: archival plain text to TEI P5, and TEI to print and web editions."""

__version__ = "0.1.0"
