"""A document's Markdown body as plain blocks for printing (headings, paragraphs, lists, tables).

The body is parsed with markdown-it-py (CommonMark plus tables, raw HTML off), and the result is
data: every text is a string the print template shows as it is, so Markdown or typst syntax in
content can never be read as markup by the printer. Links keep their text; images their alt
text (the diagram of a wiring diagram is printed from its SVG).
"""

from __future__ import annotations

from typing import Any, TypedDict

from markdown_it import MarkdownIt
from markdown_it.token import Token

_PARSER = MarkdownIt("commonmark", {"html": False}).enable("table")


class Span(TypedDict):
    text: str
    bold: bool
    italic: bool
    code: bool


Block = dict[str, Any]


def _spans(inline: Token) -> list[Span]:
    spans: list[Span] = []
    bold = italic = 0
    for child in inline.children or []:
        kind = child.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind in {"text", "code_inline", "softbreak", "hardbreak", "image", "html_inline"}:
            content = {"softbreak": " ", "hardbreak": "\n"}.get(kind, child.content)
            if kind == "image":
                content = "".join(grand.content for grand in child.children or [])
            if content:
                spans.append(
                    Span(text=content, bold=bold > 0, italic=italic > 0, code=kind == "code_inline")
                )
    return spans


def _closing(tokens: list[Token], start: int) -> int:
    """Index of the token that closes the one opened at ``start``."""
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index].nesting
        if depth == 0:
            return index
    return len(tokens) - 1


def _table(tokens: list[Token]) -> Block:
    rows: list[list[list[Span]]] = []
    header: list[list[Span]] = []
    in_head = False
    for token in tokens:
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open" and not in_head:
            rows.append([])
        elif token.type == "inline":
            (header if in_head else rows[-1]).append(_spans(token))
    width = max([len(header), *(len(row) for row in rows)])
    pad: list[list[Span]] = [[]]
    return {
        "kind": "table",
        "header": header + pad * (width - len(header)),
        "rows": [row + pad * (width - len(row)) for row in rows],
    }


def _blocks(tokens: list[Token]) -> list[Block]:
    blocks: list[Block] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        end = _closing(tokens, index) if token.nesting == 1 else index
        inner = tokens[index + 1 : end]
        if token.type == "heading_open":
            blocks.append(
                {"kind": "heading", "level": int(token.tag[1:]), "spans": _spans(inner[0])}
            )
        elif token.type == "paragraph_open":
            blocks.append({"kind": "paragraph", "spans": _spans(inner[0])})
        elif token.type in {"bullet_list_open", "ordered_list_open"}:
            items = []
            position = 0
            while position < len(inner):
                item_end = _closing(inner, position)
                items.append(_blocks(inner[position + 1 : item_end]))
                position = item_end + 1
            start = token.attrGet("start")
            blocks.append(
                {
                    "kind": "list",
                    "ordered": token.type == "ordered_list_open",
                    "start": int(start) if isinstance(start, (int, str)) else 1,
                    "items": items,
                }
            )
        elif token.type == "table_open":
            blocks.append(_table(inner))
        elif token.type == "blockquote_open":
            blocks.append({"kind": "quote", "blocks": _blocks(inner)})
        elif token.type in {"fence", "code_block"}:
            blocks.append({"kind": "code", "text": token.content.rstrip("\n")})
        elif token.type == "hr":
            blocks.append({"kind": "rule"})
        elif token.type == "html_block":
            # Raw HTML is off; should a block get through, it is printed as the text it is.
            blocks.append({"kind": "code", "text": token.content.rstrip("\n")})
        index = end + 1
    return blocks


def markdown_blocks(markdown: str) -> list[Block]:
    """The blocks of ``markdown``, in order (JSON-ready: dicts, lists, strings, ints, bools)."""
    return _blocks(_PARSER.parse(markdown))


__all__ = ["Block", "Span", "markdown_blocks"]
