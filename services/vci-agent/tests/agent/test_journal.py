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


@pytest.mark.parametrize(
    "job_id",
    [
        *("", "../escape", "a/b", "a\\b", ".hidden"),
        *("C:job", "job:stream", "a*b", "NUL", "com1", "x" * 129),
    ],
)
def test_job_ids_that_are_not_a_plain_file_name_on_every_os_are_refused(
    tmp_path: Path, job_id: str
) -> None:
    with pytest.raises(JournalError, match="invalid job id"):
        Journal(tmp_path).path(job_id)


def test_a_uuid_job_id_names_its_journal_file(tmp_path: Path) -> None:
    job_id = "3f2b8c1e-9a4d-4c6b-8e1f-0a2b3c4d5e6f"

    assert Journal(tmp_path).path(job_id) == tmp_path / f"{job_id}.json"


def test_an_entry_written_before_the_resume_fields_existed_loads_with_empty_ones(
    tmp_path: Path,
) -> None:
    journal = Journal(tmp_path)
    older = _entry().to_json()
    for name in ("image_signature", "image_url", "download_token", "security_level"):
        del older[name]
    (tmp_path / "job-1.json").write_text(json.dumps(older))

    loaded = journal.load("job-1")

    assert (loaded.image_signature, loaded.image_url, loaded.download_token) == ("", "", "")
    assert loaded.security_level == 0x11


def test_journal_files_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    # They may hold a job's download token.
    journal = Journal(tmp_path)
    journal.save(_entry())

    assert (tmp_path / "job-1.json").stat().st_mode & 0o077 == 0


def test_the_trace_summary_and_bootloader_flag_are_journaled_with_the_result(
    tmp_path: Path,
) -> None:
    journal = Journal(tmp_path)
    entry = journal.update(
        _entry(),
        result=JobResultState.FAILED,
        ecu_in_bootloader=True,
        trace_summary=((0x10, 0, 2, 0), (0x36, 0, 96, 1), (0x36, 0x72, 1, 0)),
    )

    assert Journal(tmp_path).load("job-1") == entry


def test_a_journal_from_before_trace_summaries_loads_with_the_summary_unknown(
    tmp_path: Path,
) -> None:
    journal = Journal(tmp_path)
    journal.save(_entry())
    data = json.loads((tmp_path / "job-1.json").read_text())
    del data["trace_summary"], data["ecu_in_bootloader"]
    (tmp_path / "job-1.json").write_text(json.dumps(data))

    loaded = journal.load("job-1")
    assert (loaded.trace_summary, loaded.ecu_in_bootloader) == (None, False)
