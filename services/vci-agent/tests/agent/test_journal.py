import json
from pathlib import Path

import pytest

from vci_agent.journal import JobPhase, JobResultState, Journal, JournalEntry, JournalError


def _entry(job_id: str = "job-1") -> JournalEntry:
    return JournalEntry(
        job_id=job_id,
        ecu_logical_address=0x0012,
        image_path="cache/image.img",
        image_sha256="ab" * 32,
        image_size=1000,
        memory_address=0x80000,
    )


def test_saved_entry_loads_back_equal(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    entry = journal.update(_entry(), phase=JobPhase.TRANSFERRING, acked_offset=512, erased=True)

    assert journal.load("job-1") == entry


def test_save_replaces_the_file_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    entry = journal.save(_entry())
    journal.update(entry, acked_offset=4096)

    assert [p.name for p in tmp_path.iterdir()] == ["job-1.json"]
    assert json.loads((tmp_path / "job-1.json").read_text())["acked_offset"] == 4096


def test_unfinished_lists_jobs_without_result(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.save(_entry("open"))
    journal.update(_entry("done"), result=JobResultState.SUCCEEDED)

    assert [e.job_id for e in journal.unfinished()] == ["open"]


def test_unsynced_results_lists_finished_jobs_not_yet_synced(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.update(_entry("synced"), result=JobResultState.FAILED, result_synced=True)
    journal.update(_entry("pending"), result=JobResultState.SUCCEEDED)

    assert [e.job_id for e in journal.unsynced_results()] == ["pending"]


def test_load_of_an_unknown_job_raises_journal_error(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="no journal"):
        Journal(tmp_path).load("missing")


def test_load_of_a_corrupt_file_raises_journal_error(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{not json")

    with pytest.raises(JournalError, match="unreadable"):
        Journal(tmp_path).load("bad")


def test_job_ids_that_are_paths_are_refused(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="invalid job id"):
        Journal(tmp_path).path("../escape")
