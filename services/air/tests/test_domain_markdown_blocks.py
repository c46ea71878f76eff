"""Markdown bodies as printable blocks: structure kept, every text a literal string."""

from __future__ import annotations

from air.domain.markdown_blocks import markdown_blocks


def _plain(text: str, *, bold: bool = False, code: bool = False) -> dict[str, object]:
    return {"text": text, "bold": bold, "italic": False, "code": code}


def test_headings_paragraphs_and_bold_become_blocks_and_spans() -> None:
    blocks = markdown_blocks("## Installing\n\nTighten to **16 Nm** now.\n")

    assert blocks == [
        {"kind": "heading", "level": 2, "spans": [_plain("Installing")]},
        {
            "kind": "paragraph",
            "spans": [_plain("Tighten to "), _plain("16 Nm", bold=True), _plain(" now.")],
        },
    ]


def test_ordered_lists_keep_their_start_and_nested_lists() -> None:
    (block,) = markdown_blocks("3. Raise\n4. Remove\n   - left\n   - right\n")

    assert block["kind"] == "list" and block["ordered"] is True and block["start"] == 3
    assert block["items"][1][1] == {
        "kind": "list",
        "ordered": False,
        "start": 1,
        "items": [
            [{"kind": "paragraph", "spans": [_plain("left")]}],
            [{"kind": "paragraph", "spans": [_plain("right")]}],
        ],
    }


def test_tables_have_a_header_and_rows_padded_to_its_width() -> None:
    (table,) = markdown_blocks("| Pin | Signal |\n|---|---|\n| 6 | CAN **high** |\n| 14 |\n")

    assert table["header"] == [[_plain("Pin")], [_plain("Signal")]]
    assert table["rows"] == [
        [[_plain("6")], [_plain("CAN "), _plain("high", bold=True)]],
        [[_plain("14")], []],
    ]


def test_html_and_typst_syntax_stay_text() -> None:
    blocks = markdown_blocks('<script>x</script>\n\n#set page("a5") `#strong[x]`\n')

    assert blocks[0] == {"kind": "paragraph", "spans": [_plain("<script>x</script>")]}
    assert blocks[1]["spans"] == [_plain('#set page("a5") '), _plain("#strong[x]", code=True)]
