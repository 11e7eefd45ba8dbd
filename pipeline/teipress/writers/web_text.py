"""The reading text of a document as HTML: edition.body_blocks() -> markup.

This module renders exactly the block and inline kinds that teipress.edition produces
(its BEHAVIOURS table decides what each TEI element is); it never looks at TEI itself,
so the web and print editions show the same structure. Every piece of text goes through
esc(), every link target through edition.safe_href() (already applied by edition.py) and
the page's anchor map, and no TEI attribute is ever copied into the page as is.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

LANG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")
ISO_DATE = re.compile(r"-?\d{4}(?:-\d{2}(?:-\d{2})?)?")
# Ids the page itself uses; a TEI id that would clash keeps its full xml:id instead.
RESERVED_IDS = {"main", "doc-title", "text", "text-h", "notes", "notes-h", "details", "details-h", "cite", "cite-h",
                "citation-text", "downloads", "downloads-h", "site-q", "top", "summary"}
GAP_TITLES = {"omitted": "Omitted in the source", "illegible": "Illegible in the source",
              "truncated": "The source is cut off here", "not-transcribed": "Not transcribed"}
# hi/@rend token -> (element, class)
EMPHASIS = {"italic": ("em", ""), "italics": ("em", ""), "bold": ("strong", ""), "sup": ("sup", ""),
            "superscript": ("sup", ""), "sub": ("sub", ""), "subscript": ("sub", ""),
            "underline": ("span", "underline"), "smallcaps": ("span", "smallcaps"),
            "small-caps": ("span", "smallcaps"), "spaced": ("span", "spaced")}


def esc(text: str | None) -> str:
    """Text or attribute value, escaped for HTML (quotes included)."""
    if not text:
        return ""
    # most text has nothing to escape; five `in` tests are quicker than a regex search or escape()
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return escape(text, quote=True)
    return text


_NOT_CSS = re.compile(r"[^a-z0-9-]+")
_NOT_ID = re.compile(r"[^A-Za-z0-9_.-]")


@lru_cache(maxsize=512)  # a page asks for the same few ("persName", "salute") hundreds of times
def css_token(value: str | None) -> str:
    """A TEI value (a type, a role) made safe for a class name: [a-z0-9-] only."""
    return _NOT_CSS.sub("-", (value or "").lower()).strip("-")[:40]


def lang_attr(lang: str | None) -> str:
    """ lang="..." for a well-formed language tag, else nothing (never a raw TEI value)."""
    return f' lang="{lang}"' if lang and LANG.fullmatch(lang) else ""


def entity_page(key: str) -> str:
    """The page of a register entry: name-<key>.html (keys are xml:ids; others get hyphens)."""
    return "name-" + _NOT_ID.sub("-", key) + ".html"


class TextContext:
    """What rendering one document's text collects: its notes and its anchors.

    anchors maps the TEI xml:ids of paragraphs and notes to the short ids used in the page
    ("letter-...-p3" -> "p3"), so '#' pointers in the TEI land on the right element. Given
    the blocks, it gives every paragraph and note its anchor before rendering; without
    them, as the text is rendered (see text_html), and retry says whether that could differ.
    """

    def __init__(self, doc_id: str, blocks: list[dict] | None = None):
        self.doc_id = doc_id
        self.anchors: dict[str, str] = {}
        self.used: set[str] = set(RESERVED_IDS)
        self.notes: list[list[str]] = []  # [anchor, label, html]
        self.as_rendered = blocks is None
        self.retry = False
        if blocks is not None:
            self._collect(blocks)

    def anchor_for(self, xml_id: str | None, fallback: str, note: bool = False) -> str:
        """The page id of a paragraph or note: its xml:id without the document prefix, made unique.
        A note also owns "<anchor>-ref", the id of its mark in the text."""
        if xml_id and xml_id in self.anchors:
            return self.anchors[xml_id]
        if not xml_id and self.as_rendered:
            self.retry = True  # collected first, an element without an xml:id is given its anchor after all others
        full = _NOT_ID.sub("-", xml_id or fallback)
        prefix = f"{self.doc_id}-"
        short = full[len(prefix):] if full.startswith(prefix) and len(full) > len(prefix) else full
        anchor, n = short, 2
        while anchor in self.used or (note and f"{anchor}-ref" in self.used):
            anchor, n = f"{short}-{n}", n + 1
        self.used.add(anchor)
        if note:
            self.used.add(f"{anchor}-ref")
        if xml_id:
            self.anchors[xml_id] = anchor
        return anchor

    def anchor_of(self, xml_id: str) -> str | None:
        """The page id of the paragraph or note a '#' pointer names; None if there is none."""
        anchor = self.anchors.get(xml_id)
        if anchor is None and self.as_rendered:
            self.retry = True  # it may come later in the text
        return anchor

    def _collect(self, blocks: list[dict]) -> None:
        """Give every paragraph and note its anchor before rendering (links may point forward)."""
        def walk_inlines(nodes: list[dict]) -> None:
            for node in nodes:
                kind = node["t"]
                if kind == "text":
                    continue  # (most nodes: nothing inside)
                if kind == "note" and node.get("id"):
                    self.anchor_for(node["id"], "", note=True)
                if "c" in node:
                    walk_inlines(node["c"])

        def walk(items: list[dict]) -> None:
            for block in items:
                if block["kind"] == "paragraph":
                    self.anchor_for(block.get("id"), f"p{block['n']}")
                if "blocks" in block:
                    walk(block["blocks"])
                if "c" in block:
                    walk_inlines(block["c"])
                for item in block.get("items", ()):
                    walk_inlines(item)
                for row in block.get("rows", ()):
                    for cell in row:
                        walk_inlines(cell)

        walk(blocks)


# ---------------------------------------------------------------------------
# inlines: one function per inline kind of edition.py


def inline_html(nodes: list[dict], ctx: TextContext) -> str:
    if len(nodes) == 1 and nodes[0]["t"] == "text":  # (most lines, many paragraphs)
        return esc(nodes[0]["text"])
    # text, most of the nodes, without a call through the table
    return "".join([esc(node["text"]) if node["t"] == "text" else _INLINE.get(node["t"], _plain_span)(node, ctx)
                    for node in nodes])


def _content(node: dict, ctx: TextContext) -> str:
    inner = inline_html(node.get("c", []), ctx)
    if "before" in node or "after" in node:  # (only the bracketing kinds have them)
        return esc(node.get("before", "")) + inner + esc(node.get("after", ""))
    return inner


def _text(node: dict, ctx: TextContext) -> str:
    return esc(node["text"])


def _gap(node: dict, ctx: TextContext) -> str:
    title = GAP_TITLES.get(node.get("reason") or "", "Not given in this edition")
    return f'<span class="gap" title="{esc(title)}">{esc(node["text"])}</span>'


def _note(node: dict, ctx: TextContext) -> str:
    slot = [ctx.anchor_for(node.get("id"), f"n{len(ctx.notes) + 1}", note=True), "", ""]
    ctx.notes.append(slot)  # reserve the place first: a note inside this note comes after it
    label = node.get("n") or str(len(ctx.notes))
    slot[1] = label
    slot[2] = inline_html(node.get("c", []), ctx)
    return (f'<a class="noteref" href="#{slot[0]}" id="{slot[0]}-ref" role="doc-noteref" '
            f'aria-label="Note {esc(label)}"><sup>{esc(label)}</sup></a>')


def _break(node: dict, ctx: TextContext) -> str:
    return "<br>"


def _page(node: dict, ctx: TextContext) -> str:
    return f'<span class="pb" data-pagefind-ignore>{esc(node["text"])}</span>'


def _choice(node: dict, ctx: TextContext) -> str:
    shown = inline_html(node.get("c", []), ctx)
    if not node.get("alt"):
        return shown
    return f'<span class="choice" title="{esc("In the source: " + node["alt"])}">{shown}</span>'


def _wrapped(tag: str, cls: str, title: str = ""):
    def render(node: dict, ctx: TextContext) -> str:
        extra = f' title="{esc(title)}"' if title else ""
        return f'<{tag} class="{cls}"{extra}>{_content(node, ctx)}</{tag}>'
    return render


def _emphasis(node: dict, ctx: TextContext) -> str:
    tokens = (node.get("rend") or "italic").split()
    tag, cls = EMPHASIS.get(tokens[0] if tokens else "italic", ("em", ""))
    attr = f' class="{cls}"' if cls else ""
    return f"<{tag}{attr}>{_content(node, ctx)}</{tag}>"


def _foreign(node: dict, ctx: TextContext) -> str:
    return f'<span class="foreign"{lang_attr(node.get("lang"))}>{_content(node, ctx)}</span>'


def _link(node: dict, ctx: TextContext) -> str:
    href = node.get("href")
    if href and href.startswith("#"):
        # a pointer inside the document: only to an element this page shows
        anchor = ctx.anchor_of(href[1:])
        href = f"#{anchor}" if anchor else None
    content = _content(node, ctx)
    if not href:
        return f'<span class="link">{content}</span>' if content else ""
    rel = "" if href.startswith("#") or "://" not in href else ' rel="external noopener noreferrer"'
    # a <ptr> has no content: its target is the link text
    return f'<a href="{esc(href)}"{rel}>{content or esc(node.get("href"))}</a>'


def _name(node: dict, ctx: TextContext) -> str:
    """A name; one the register knows links to its page (name-<key>.html)."""
    cls = _name_class(node.get("kind"))
    entity = node.get("entity")
    if entity:
        return f'<a class="{cls}" href="{_entity_href(entity)}">{_content(node, ctx)}</a>'
    return f'<span class="{cls}">{_content(node, ctx)}</span>'


@lru_cache(maxsize=64)  # a handful of kinds (persName, orgName ...), on every page
def _name_class(kind: str | None) -> str:
    return f"name {css_token(kind)}"


@lru_cache(maxsize=4096)  # a text names the same few entries again and again
def _entity_href(key: str) -> str:
    """The escaped address of a register entry's page."""
    return esc(entity_page(key))


def _date(node: dict, ctx: TextContext) -> str:
    when = node.get("when")
    if when and ISO_DATE.fullmatch(when):
        return f'<time datetime="{esc(when)}">{_content(node, ctx)}</time>'
    return f'<span class="date">{_content(node, ctx)}</span>'


def _plain_span(node: dict, ctx: TextContext) -> str:
    """span (seg, desc) and any kind this renderer does not know: the content, never dropped."""
    return _content(node, ctx)


_INLINE = {
    "text": _text,
    "gap": _gap,
    "note": _note,
    "break": _break,
    "page": _page,
    "choice": _choice,
    "supplied": _wrapped("span", "supplied", "Supplied by the editors"),
    "unclear": _wrapped("span", "unclear", "Uncertain reading"),
    "deleted": _wrapped("del", "deleted"),
    "added": _wrapped("ins", "added"),
    "emphasis": _emphasis,
    "foreign": _foreign,
    "title": _wrapped("cite", "title"),
    "quote": _wrapped("q", "quote"),
    "link": _link,
    "name": _name,
    "date": _date,
    "span": _plain_span,
}


# ---------------------------------------------------------------------------
# blocks: one branch per block kind of edition.body_blocks


def blocks_html(blocks: list[dict], ctx: TextContext, level: int = 3, nested: bool = False) -> str:
    """Blocks as HTML; headings of the outermost divisions get `level`, nested ones one more."""
    out = []
    for block in blocks:
        kind = block["kind"]
        # the commonest kinds first (each kind takes one branch, whatever the order)
        if kind == "paragraph":
            n = block["n"]
            anchor = ctx.anchor_for(block.get("id"), f"p{n}")
            out.append(f'<p class="para" id="{anchor}"><a class="pnum" href="#{anchor}" '
                       f'aria-label="Paragraph {n}" data-pagefind-ignore>{n}</a> '
                       f'{inline_html(block["c"], ctx)}</p>')
        elif kind == "line":
            out.append(f'<p class="line {css_token(block.get("role"))}">{inline_html(block["c"], ctx)}</p>')
        elif kind in ("opener", "closer", "postscript"):
            out.append(f'<div class="{kind}">{blocks_html(block["blocks"], ctx, level, nested)}</div>')
        elif kind == "section":
            cls = " ".join(filter(None, ["tei-div", css_token(block.get("type")), css_token(block.get("subtype"))]))
            out.append(f'<div class="{cls}"{lang_attr(block.get("lang"))}>'
                       f'{blocks_html(block["blocks"], ctx, min(level + 1, 6) if nested else level, True)}</div>')
        elif kind == "heading":
            out.append(f"<h{level}>{inline_html(block['c'], ctx)}</h{level}>")
        elif kind == "list":
            tag = "ol" if block.get("rend") in ("numbered", "ordered") else "ul"
            items = "".join(f"<li>{inline_html(item, ctx)}</li>" for item in block["items"])
            out.append(f'<{tag} class="tei-list">{items}</{tag}>')
        elif kind == "table":
            rows = "".join("<tr>" + "".join(f"<td>{inline_html(cell, ctx)}</td>" for cell in row) + "</tr>"
                           for row in block["rows"])
            out.append(f'<div class="table-scroll"><table class="tei-table"><tbody>{rows}</tbody></table></div>')
        elif kind == "quote":
            out.append(f"<blockquote>{blocks_html(block['blocks'], ctx, level, nested)}</blockquote>")
        else:  # a block kind this renderer does not know yet: show what it holds
            inner = blocks_html(block.get("blocks", []), ctx, level, nested) + inline_html(block.get("c", []), ctx)
            out.append(f'<div class="{css_token(kind)}">{inner}</div>')
    return "".join(out)


def text_html(doc_id: str, blocks: list[dict], level: int = 3) -> tuple[str, TextContext]:
    """A document's text as HTML (blocks_html) and the context holding its notes.

    One pass gives the anchors as the text goes, in the order collecting them first would;
    a text where that could make a difference (a pointer to a later element, an element
    without an xml:id) is rendered again, its anchors collected first."""
    ctx = TextContext(doc_id)
    html = blocks_html(blocks, ctx, level)
    if ctx.retry:
        ctx = TextContext(doc_id, blocks)
        html = blocks_html(blocks, ctx, level)
    return html, ctx


def notes_html(ctx: TextContext, level: int = 2) -> str:
    """The notes collected while rendering the text, each with a link back to its place."""
    if not ctx.notes:
        return ""
    items = "".join(
        f'<li id="{anchor}"><span class="note-label">{esc(label)}</span> <span class="note-text">{html}</span> '
        f'<a class="backlink" href="#{anchor}-ref" role="doc-backlink" '
        f'aria-label="Back to the place of note {esc(label)}">↑</a></li>'
        for anchor, label, html in ctx.notes)
    return (f'<section class="notes" aria-labelledby="notes-h" role="doc-endnotes">'
            f'<h{level} id="notes-h">Notes</h{level}><ol class="notes-list">{items}</ol></section>')
