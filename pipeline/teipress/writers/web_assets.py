"""The static files every web edition carries: stylesheet, script, icon, and the schema copy.

They live in teipress/templates/ (package data) as web-* files and are written under
web/assets/ with stable names, so pages can link them relatively.
"""

from __future__ import annotations

from importlib import resources

from teipress.config import SCHEMA_NAME

# package file -> path in the site
ASSETS = {
    "web-edition.css": "assets/edition.css",
    "web-edition.js": "assets/edition.js",
    "web-icon.svg": "assets/icon.svg",
}


def asset_files() -> dict[str, bytes]:
    """Site path -> bytes of each asset."""
    templates = resources.files("teipress") / "templates"
    return {site_path: (templates / name).read_bytes() for name, site_path in ASSETS.items()}


def schema_file() -> tuple[str, bytes] | None:
    """The project schema, published at web/schema/ where the TEI's xml-model may point; None if absent."""
    schema = resources.files("teipress") / "schema" / SCHEMA_NAME
    return (SCHEMA_NAME, schema.read_bytes()) if schema.is_file() else None
