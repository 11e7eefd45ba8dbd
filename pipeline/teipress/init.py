"""`teipress init DIR`: a new edition project that builds at once."""

from __future__ import annotations

from pathlib import Path

from teipress.errors import OutputError
from teipress.xmlio import atomic_write

CONFIG = """\
# teipress.toml: the settings of this edition. Every key is optional: teipress has a
# default for each, and an unknown key is an error (a typo is never silently ignored).

[edition]
title = "{title}"
publisher = "{publisher}"
# the public address of the web edition: canonical URLs, OAI identifiers, the CMIF file
base_url = "https://example.org/{slug}/"
# the licence of the edition's own work (the TEI encoding); each document keeps the
# archive's rights statement in its own TEI
licence = "Creative Commons Attribution 4.0 International"
licence_url = "https://creativecommons.org/licenses/by/4.0/"
# what the edition is: becomes the projectDesc of every TEI file and the About page
project = "A digital edition of archival documents, converted to TEI P5 by teipress."
# date = "2026-01-01"   # the conversion date when SOURCE_DATE_EPOCH is not set (default: today)

[ids]
# a document's id is its seed's file stem ("stem") or the archive's record id ("record-id")
rule = "stem"
# prefix for ids that would not start with a letter (a file named 000_x.txt -> d000_x)
prefix = "d"

[input]
seeds = "seeds"
# register = "register.xml"   # people, organisations and places (default: register.xml if present)

[print]
paper = "a4"              # or "us-letter"
standard = "a-3b"         # PDF/A-3b with the TEI attached; "a-2b" (no attachment), "ua-1"
line_numbers = 0          # 5: margin line numbers every five lines instead of paragraph numbers
# fonts = ["/usr/share/fonts/opentype/noto"]   # extra font folders (for Chinese, Korean ...)
# template = "my-edition.typ"                  # your own Typst template

[oai]
page_size = 100           # records per OAI-PMH response page
# admin_email = "editors@example.org"   # the contact OAI-PMH Identify gives
"""

README = """\
# {title}

An edition made with teipress.

- `seeds/`: the documents, one UTF-8 `.txt` file each: archive page exports (Wilson Center
  Digital Archive) or your own transcriptions in the seed-text format:

      Title: Letter from X to Y
      Date: 1958-09-09
      From: X
      To: Y

      Dear Comrades,
      ...

- `teipress.toml`: the edition's settings (title, publisher, address, licence ...).
- `register.xml` (optional): people, organisations and places to tag in the documents;
  `teipress register suggest seeds` lists names you may want to add.

Run `teipress build` here: it writes `editions/` (TEI, print, web, harvest files).
TEI files in `editions/tei/` are yours to edit: teipress never overwrites a file you
changed, and renders your version.
"""


def init_project(target: Path, title: str = "A teipress edition", publisher: str = "The editors") -> list[Path]:
    """Scaffold an edition project in target (which must be empty or absent)."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise OutputError("the folder is not empty", path=str(target),
                          hint="choose a new folder name: 'teipress init my-edition'")
    slug = "".join(c if c.isalnum() else "-" for c in target.name.lower()).strip("-") or "edition"
    files = {
        target / "teipress.toml": CONFIG.format(title=title, publisher=publisher, slug=slug),
        target / "README.md": README.format(title=title),
        target / "seeds" / ".keep": "",
    }
    for path, text in files.items():
        atomic_write(path, text.encode("utf-8"))
    return sorted(files)
