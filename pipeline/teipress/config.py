"""teipress.toml and its embedded defaults.

Every key is optional: with no file at all, an edition still builds. Unknown keys are
errors (a typo should not be silently ignored).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from teipress.errors import ConfigError

CONFIG_NAME = "teipress.toml"


@dataclass(frozen=True)
class Config:
    title: str = "teipress edition"
    publisher: str = "teipress"
    base_url: str = "https://example.org/edition/"
    licence: str = "Creative Commons Attribution 4.0 International"
    licence_url: str = "https://creativecommons.org/licenses/by/4.0/"
    project: str = (
        "A digital edition of archival documents, converted from the archive's plain-text "
        "exports to TEI P5 by teipress and published in print and web editions."
    )
    id_rule: str = "stem"  # stem | record-id
    id_prefix: str = "d"
    date: str | None = None  # the conversion date when SOURCE_DATE_EPOCH is not set
    seeds: str = "seeds"
    register: str | None = None
    fonts: tuple[str, ...] = ()
    print_template: str | None = None
    paper: str = "a4"
    pdf_standard: str = "a-3b"
    line_numbers: int = 0
    oai_page_size: int = 100
    oai_admin_email: str | None = None  # the repository's contact (OAI-PMH Identify)
    source: Path | None = field(default=None, compare=False)

    def digest_key(self) -> str:
        """Everything that changes the TEI, as one string (for the build's change check)."""
        keep = ("publisher", "base_url", "licence", "licence_url", "project", "id_rule", "id_prefix", "date",
                "register")
        return repr([(k, getattr(self, k)) for k in keep])


# [section] -> {key in the file: Config attribute}
_SECTIONS = {
    "edition": {k: k for k in ("title", "publisher", "base_url", "licence", "licence_url", "project", "date")},
    "ids": {"rule": "id_rule", "prefix": "id_prefix"},
    "input": {"seeds": "seeds", "register": "register"},
    "print": {"fonts": "fonts", "template": "print_template", "paper": "paper", "standard": "pdf_standard",
              "line_numbers": "line_numbers"},
    "oai": {"page_size": "oai_page_size", "admin_email": "oai_admin_email"},
}


def load_config(project_dir: Path) -> Config:
    """The project's config: teipress.toml in project_dir if present, else the defaults."""
    path = project_dir / CONFIG_NAME
    if not path.exists():
        return Config()
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the config: {exc}", path=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise ConfigError(f"not valid TOML: {exc}", path=str(path), line=int(line.group(1)) if line else None,
                          hint="see the commented example written by 'teipress init'") from None
    values = {}
    for section, table in data.items():
        if section not in _SECTIONS or not isinstance(table, dict):
            raise ConfigError(f"unknown section [{section}]", path=str(path),
                              hint=f"known sections: {', '.join(sorted(_SECTIONS))}")
        for key, value in table.items():
            if key not in _SECTIONS[section]:
                raise ConfigError(f"unknown key '{key}' in [{section}]", path=str(path),
                                  hint=f"known keys: {', '.join(sorted(_SECTIONS[section]))}")
            values[_SECTIONS[section][key]] = value
    fonts = values.get("fonts", [])
    if not isinstance(fonts, list) or not all(isinstance(f, str) for f in fonts):
        raise ConfigError("print.fonts must be a list of folder names, e.g. fonts = [\"fonts\"]", path=str(path))
    config = Config(**{**values, "fonts": tuple(fonts)}, source=path)
    _check(config, path)
    return config


def _check(config: Config, path: Path) -> None:
    for name in ("title", "publisher", "base_url", "licence", "licence_url", "project", "id_rule", "id_prefix"):
        if not isinstance(getattr(config, name), str):
            raise ConfigError(f"'{name}' must be a string", path=str(path))
    if config.id_rule not in ("stem", "record-id"):
        raise ConfigError(f"ids.rule must be 'stem' or 'record-id', not {config.id_rule!r}", path=str(path))
    if not re.fullmatch(r"[A-Za-z_][\w.-]*", config.id_prefix):
        raise ConfigError(f"ids.prefix {config.id_prefix!r} cannot start an xml:id", path=str(path),
                          hint="use letters, e.g. 'd'")
    if not re.match(r"https?://", config.base_url):
        raise ConfigError(f"edition.base_url must be an http(s) address, not {config.base_url!r}", path=str(path))
    if config.date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(config.date)):
        raise ConfigError(f"edition.date must be YYYY-MM-DD, not {config.date!r}", path=str(path))
    if config.oai_admin_email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+", str(config.oai_admin_email)):
        raise ConfigError(f"oai.admin_email must be an e-mail address, not {config.oai_admin_email!r}",
                          path=str(path))
    if not isinstance(config.oai_page_size, int) or not 1 <= config.oai_page_size <= 10000:
        raise ConfigError("oai.page_size must be a whole number from 1 to 10000", path=str(path))
    if config.paper not in ("a4", "us-letter"):
        raise ConfigError(f"print.paper must be 'a4' or 'us-letter', not {config.paper!r}", path=str(path))


def conversion_date(config: Config) -> str:
    """The @when of the conversion: SOURCE_DATE_EPOCH, else the config's date, else today (UTC)."""
    import datetime as dt

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date().isoformat()
        except (ValueError, OverflowError):
            raise ConfigError(f"SOURCE_DATE_EPOCH must be a number of seconds, not {epoch!r}") from None
    if config.date:
        return str(config.date)
    return dt.datetime.now(dt.timezone.utc).date().isoformat()


SCHEMA_NAME = "teipress.xsd"  # the project's schema, wherever it is kept or published


def schema_href_for(tei_dir: Path) -> str:
    """The xml-model target as seen from a TEI folder: the project's schema/teipress.xsd
    when the folder sits inside a project that has one (editions/tei -> ../../schema/...),
    else the copy the web edition publishes."""
    tei_dir = tei_dir.resolve()
    for folder in [tei_dir, *tei_dir.parents]:
        candidate = folder / "schema" / SCHEMA_NAME
        if candidate.is_file():
            return Path(os.path.relpath(candidate, tei_dir)).as_posix()
    return f"../web/schema/{SCHEMA_NAME}"
