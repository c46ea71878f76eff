"""Check the translations of the AIR content pack against the English documents.

A translation is repair information a technician acts on, so a slip in it (a torque value, a pin
number, a wire colour left out or changed) is as bad as one in the English text. For every
``documents/<lang>/<id>.md`` this checks:

- the front matter: exactly ``title`` and ``summary``, each on one line and non-empty, then a body;
- that every document of pack.json has a file in each language folder, and no file is left over;
- the same structure as the English body: headings, table rows, numbered steps and bullets;
- the same values: every number (decimal point written as a comma), every code such as A258,
  X13512 or B48t, and every wire colour of a table, as often as in the English body;
- the glossary (glossary.json), when there is one: ``{"terms": [{"en": ..., "de": ...}]}``.

With ``--search`` it also asks PostgreSQL (``AIR_DATABASE_URL`` from the environment) whether the
German searches a workshop types find the German documents, with the ``german`` configuration that
the ``documents.search_vector`` column uses for German rows.

Usage:
    python scripts/check_translations.py
    set -a; . .local/stack.env; set +a; python scripts/check_translations.py --search
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

CONTENT = Path(__file__).resolve().parent.parent / "services" / "air" / "src" / "air" / "content"
FRONT_MATTER_KEYS = ("title", "summary")

# Numbers, device and connector codes (A258, X13512, B48t, M12), and wire colours in table cells.
VALUE = re.compile(r"\d+(?:[.,]\d+)?|\b[A-Z]{1,3}\d+[a-z]?\b")
COLOUR = re.compile(r"\b(?:BL|BR|GE|GN|GR|OR|RT|SW|VI|WS)\b")

# German searches of issue 11 and the document each must find (title, summary or body).
SEARCH_EXPECTATIONS: tuple[tuple[str, str], ...] = (
    ("Bremsbeläge wechseln", "ri-g20-front-brake-pads-discs"),
    ("Bremsbeläge wechseln", "ri-g20-rear-brake-pads-epb"),
    ("Bremse", "ri-g20-front-brake-pads-discs"),
    ("Bremse", "ri-g20-rear-brake-pads-epb"),
    ("Bremsflüssigkeit", "ri-g20-front-brake-pads-discs"),
    ("Ölwechsel", "ri-b47-engine-oil-service"),
    ("Motoröl", "ri-b47-engine-oil-service"),
    ("Zündkerzen", "ri-b48-spark-plugs"),
    ("Luftfeder", "ri-g05-rear-air-spring"),
    ("Batterie anmelden", "ri-all-12v-battery-replace-register"),
    ("Hochvolt", "ri-u11-high-voltage-deenergise"),
    ("Ladedose", "wd-u11-charging-inlet"),
    ("Innenraumfilter", "ri-f40-cabin-microfilter"),
    ("Heckklappe Spindelantrieb", "ri-g21-tailgate-spindle-drive"),
    ("Diagnosesteckdose", "wd-all-diagnostic-socket"),
    ("Kühlmittelpumpe", "tb-g20-2021-001-coolant-pump-noise"),
    ("Steuergeräte programmieren", "tb-all-2023-002-programming-voltage"),
)


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """The ``key: value`` lines between the two ``---`` lines, and the body after them."""
    lines = text.split("\n")
    if not lines or lines[0] != "---" or "---" not in lines[1:]:
        raise ValueError("the file must start with a front matter block between two '---' lines")
    end = lines.index("---", 1)
    meta: dict[str, str] = {}
    for line in lines[1:end]:
        key, sep, value = line.partition(": ")
        if not sep or not value.strip():
            raise ValueError(f"front matter line {line!r} is not 'key: value'")
        if key in meta:
            raise ValueError(f"front matter key {key!r} is given twice")
        meta[key] = value.strip()
    if tuple(sorted(meta)) != tuple(sorted(FRONT_MATTER_KEYS)):
        raise ValueError(
            f"front matter keys are {sorted(meta)}, expected {list(FRONT_MATTER_KEYS)}"
        )
    body = "\n".join(lines[end + 1 :])
    if not body.strip():
        raise ValueError("the body is empty")
    return meta, body


def structure(body: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for line in body.splitlines():
        if line.startswith("#"):
            counts["headings"] += 1
        elif line.startswith("|"):
            counts["table rows"] += 1
        elif re.match(r"\d+\. ", line):
            counts["numbered steps"] += 1
        elif line.startswith("- "):
            counts["bullets"] += 1
    return counts


def values(body: str) -> Counter[str]:
    found: Counter[str] = Counter(v.replace(".", ",") for v in VALUE.findall(body))
    for line in body.splitlines():
        if line.startswith("|"):
            found.update(COLOUR.findall(line))
    return found


def check_document(english: str, body: str) -> list[str]:
    problems = []
    expected, actual = structure(english), structure(body)
    if expected != actual:
        problems.append(f"structure differs: English {dict(expected)}, here {dict(actual)}")
    expected, actual = values(english), values(body)
    if expected != actual:
        missing, extra = dict(expected - actual), dict(actual - expected)
        problems.append(f"values differ: missing {missing}, not in English {extra}")
    return problems


def check_pack(content: Path) -> tuple[list[str], dict[str, dict[str, str]]]:
    """Problems found, and per language the searchable text (title, summary, body) by id."""
    pack = json.loads((content / "pack.json").read_text(encoding="utf-8"))
    english = {
        d["id"]: (content / d["body_file"]).read_text(encoding="utf-8") for d in pack["documents"]
    }
    problems: list[str] = []
    texts: dict[str, dict[str, str]] = {}
    folders = sorted(p for p in (content / "documents").iterdir() if p.is_dir())
    for folder in folders:
        lang = folder.name
        texts[lang] = {}
        present = {path.stem for path in folder.iterdir()}
        for path in sorted(folder.iterdir()):
            where = f"documents/{lang}/{path.name}"
            if path.suffix != ".md" or path.stem not in english:
                problems.append(f"{where}: no document of pack.json has this id")
                continue
            try:
                meta, body = split_front_matter(path.read_text(encoding="utf-8"))
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
                continue
            problems += [f"{where}: {p}" for p in check_document(english[path.stem], body)]
            texts[lang][path.stem] = f"{meta['title']}\n{meta['summary']}\n{body}"
        problems += [f"documents/{lang}/{i}.md is missing" for i in english if i not in present]
    problems += check_glossary(content / "glossary.json")
    return problems, texts


def check_glossary(path: Path) -> list[str]:
    if not path.exists():
        return []
    raw: Any = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or set(raw) != {"terms"} or not isinstance(raw["terms"], list):
        return ['glossary.json: expected {"terms": [{"en": ..., "de": ...}, ...]}']
    problems = []
    seen: set[tuple[str, str]] = set()
    for term in raw["terms"]:
        ok = isinstance(term, dict) and set(term) == {"en", "de"}
        if not ok or not all(isinstance(v, str) and v and v == v.strip() for v in term.values()):
            problems.append(f"glossary.json: bad term {term!r}")
            continue
        for lang in ("en", "de"):
            if (lang, term[lang].lower()) in seen:
                problems.append(f"glossary.json: {term[lang]!r} is listed twice")
            seen.add((lang, term[lang].lower()))
    return problems


async def check_search(texts: dict[str, str], database_url: str) -> list[str]:
    import asyncpg

    query = "SELECT to_tsvector('german', $1) @@ websearch_to_tsquery('german', $2)"
    problems = []
    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        for words, document_id in SEARCH_EXPECTATIONS:
            if not await connection.fetchval(query, texts.get(document_id, ""), words):
                problems.append(f"German search {words!r} does not find {document_id}")
    finally:
        await connection.close()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--search", action="store_true", help="also check German searches")
    args = parser.parse_args()
    problems, texts = check_pack(CONTENT)
    if args.search:
        url = os.environ.get("AIR_DATABASE_URL")
        if not url:
            problems.append("--search needs AIR_DATABASE_URL (for example from .local/stack.env)")
        else:
            problems += asyncio.run(check_search(texts.get("de", {}), url))
    for problem in problems:
        print(problem)
    counts = ", ".join(f"{lang}: {len(docs)} documents" for lang, docs in texts.items())
    print(f"translations checked ({counts}): {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
