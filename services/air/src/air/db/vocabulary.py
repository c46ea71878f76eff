"""The search vocabulary: the words suggestions are made of, found by trigram similarity."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import (
    CheckConstraint,
    Index,
    Integer,
    Text,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from air.db.models import Base, Document

# Candidates for a correction: words pg_trgm's ``%`` finds similar (trigram similarity of at
# least pg_trgm.similarity_threshold, 0.3, through the GIN index), and, since short words with
# a swap share almost no trigrams ("pdas", "pads"), words of about the same length that start
# with the same letter. The edit distance in the service decides among them.
MAX_CANDIDATES = 50


class VocabularyWord(Base):
    """A lower-case word of document titles and summaries (or the glossary) in a language;
    ``documents`` is how many documents use it (the tie-breaker between equal corrections)."""

    __tablename__ = "search_vocabulary"

    word: Mapped[str] = mapped_column(Text, primary_key=True)
    language: Mapped[str] = mapped_column(Text, primary_key=True)
    documents: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("language IN ('en', 'de')", name="language"),
        Index(
            "ix_search_vocabulary_word_trgm",
            "word",
            postgresql_using="gin",
            postgresql_ops={"word": "gin_trgm_ops"},
        ),
    )


@dataclass(frozen=True)
class Candidate:
    word: str
    language: str
    similarity: float
    documents: int


@dataclass(frozen=True)
class TitleText:
    language: str
    text: str


class VocabularyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def titles_and_summaries(self) -> list[TitleText]:
        """Title and summary of every document version, one text each."""
        rows = await self.session.execute(
            select(Document.language, Document.title + " " + Document.summary)
        )
        return [TitleText(language=language, text=text) for language, text in rows]

    async def replace(self, counts: Mapping[tuple[str, str], int]) -> None:
        """Make the vocabulary exactly ``counts`` ((word, language) → documents)."""
        await self.session.execute(delete(VocabularyWord))
        if counts:
            await self.session.execute(
                insert(VocabularyWord),
                [
                    {"word": word, "language": language, "documents": documents}
                    for (word, language), documents in counts.items()
                ],
            )

    async def known(self, words: list[str]) -> set[str]:
        """The ``words`` that are in the vocabulary (in any language)."""
        if not words:
            return set()
        rows = await self.session.execute(
            select(VocabularyWord.word).where(VocabularyWord.word.in_(words)).distinct()
        )
        return set(rows.scalars())

    async def candidates(self, word: str) -> list[Candidate]:
        """Vocabulary words that may be what ``word`` was meant to be, most similar first."""
        similarity = func.similarity(VocabularyWord.word, word)
        near_length = func.abs(func.length(VocabularyWord.word) - len(word)) <= 1
        same_start = func.left(VocabularyWord.word, 1) == word[:1]
        rows = await self.session.execute(
            select(
                VocabularyWord.word,
                VocabularyWord.language,
                similarity.label("similarity"),
                VocabularyWord.documents,
            )
            .where(or_(VocabularyWord.word.bool_op("%")(word), and_(near_length, same_start)))
            .order_by(similarity.desc(), VocabularyWord.word)
            .limit(MAX_CANDIDATES)
        )
        return [
            Candidate(word=w, language=lang, similarity=float(sim), documents=docs)
            for w, lang, sim, docs in rows
        ]


__all__ = ["Candidate", "TitleText", "VocabularyRepository", "VocabularyWord"]
