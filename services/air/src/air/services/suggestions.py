""" "Did you mean": the search vocabulary and spelling suggestions for queries that find little.

The vocabulary is every word of the documents' titles and summaries (both languages) and of
the glossary, rebuilt whenever content is seeded. A query word is corrected only when it is
unknown: in no title, summary or glossary entry, in no document body, and not a stop word.
pg_trgm finds candidates through an index; the edit distance (swaps count once) picks one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from air.content.extras import load_glossary
from air.db.documents import DocumentRepository
from air.db.vocabulary import Candidate, VocabularyRepository
from air.domain.content import Language, VehicleFacts
from air.domain.search_query import (
    allowed_edits,
    correctable_words,
    edit_distance,
    replace_words,
)

# A strict search with at most this many matches gets a suggestion when one of its words is
# unknown: a typo can leave a few loose matches of the other words.
FEW_RESULTS = 2
# Words of one query looked up; the box holds at most 200 characters anyway.
MAX_WORDS = 8


async def rebuild_vocabulary(
    session: AsyncSession, *, glossary: Iterable[tuple[Language, str]] | None = None
) -> int:
    """Make the vocabulary match the documents in the database and ``glossary`` (default: the
    shipped glossary, when the pack has one); returns the number of (word, language) entries."""
    counts: Counter[tuple[str, str]] = Counter()
    for text in await VocabularyRepository(session).titles_and_summaries():
        for word in set(correctable_words(text.text)):
            counts[(word, text.language)] += 1
    for language, term in load_glossary() if glossary is None else glossary:
        for word in correctable_words(term):
            # A glossary word no document uses yet is known, but ranks below used words.
            counts[(word, language.value)] += 0
    await VocabularyRepository(session).replace(counts)
    return len(counts)


def _best(word: str, candidates: list[Candidate], language: Language) -> str | None:
    limit = allowed_edits(word)
    scored = [
        (
            distance,
            -candidate.similarity,
            candidate.language != language.value,
            -candidate.documents,
            candidate.word,
        )
        for candidate in candidates
        if (distance := edit_distance(word, candidate.word)) <= limit
    ]
    return min(scored)[-1] if scored else None


async def suggest(
    session: AsyncSession,
    keywords: str,
    *,
    language: Language,
    vehicle: VehicleFacts | None,
) -> str | None:
    """``keywords`` with each unknown word replaced by the closest vocabulary word, when that
    changes something and the corrected search finds documents (for ``vehicle`` when given);
    else None."""
    words = list(dict.fromkeys(correctable_words(keywords)))[:MAX_WORDS]
    if not words:
        return None
    vocabulary = VocabularyRepository(session)
    documents = DocumentRepository(session)
    known = await vocabulary.known(words)
    corrections: dict[str, str] = {}
    for word in words:
        if word in known or await documents.is_known_word(word):
            continue
        best = _best(word, await vocabulary.candidates(word), language)
        if best is not None:
            corrections[word] = best
    if not corrections:
        return None
    corrected = replace_words(keywords, corrections)
    if await documents.count_matches(corrected, vehicle=vehicle) == 0:
        return None
    return corrected


__all__ = ["FEW_RESULTS", "rebuild_vocabulary", "suggest"]
