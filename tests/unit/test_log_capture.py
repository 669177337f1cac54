"""The session's leak check itself: it finds a secret in any spelling a log line can give it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.log_capture import LogCapture, SecretLedger, check_external_log


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, LogCapture]]:
    """A capture of its own on a logger of its own (the session's sees nothing of this)."""
    capture = LogCapture()
    logger = logging.getLogger("omo_backend.capture_check")
    logger.addHandler(capture)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, capture
    logger.removeHandler(capture)
    logger.propagate = True


def test_a_secret_the_redaction_does_not_know_is_found(logged):
    logger, capture = logged
    ledger = SecretLedger()
    ledger.add("password", "Hunter2-Horse")
    logger.info("sign-in with hunter2-horse failed")
    [leak] = ledger.leaks(capture.take())
    assert "password 'Hunter2-Horse'" in str(leak)
    assert json.loads(leak.line)["msg"] == "sign-in with hunter2-horse failed"


@pytest.mark.parametrize(
    "written",
    ["0912 345 678", "0912-345-678", "0912.345.678", "０９１２３４５６７８", "(09)12345678"],
)
def test_a_phone_is_found_by_its_digits_whatever_separates_them(written: str):
    ledger = SecretLedger()
    ledger.add_phone("+886912345678")
    line = json.dumps({"request_id": "-", "msg": f"number {written} refused"})
    assert ledger.leaks([line]), written


def test_a_short_secret_counts_only_as_a_whole_word():
    ledger = SecretLedger()
    ledger.add("PIN", "123456")
    assert ledger.leaks([json.dumps({"request_id": "-", "msg": "pin=123456"})])
    assert not ledger.leaks([json.dumps({"request_id": "-", "msg": "took 91234567 ms"})])
    ledger.add("PIN", "1234")
    assert not ledger.leaks([json.dumps({"request_id": "-", "msg": "port 1234"})]), "too short"


def test_a_request_id_that_is_no_id_and_a_broken_line_are_leaks_too():
    ledger = SecretLedger()
    assert ledger.leaks([json.dumps({"request_id": "counter-7", "msg": "ok"})])
    assert ledger.leaks(['{"request_id": "-", "msg": "one\u2028two"}'])
    assert not ledger.leaks([json.dumps({"request_id": "a" * 32, "msg": "ok"})])


def test_the_log_of_a_child_process_is_read_line_by_line(tmp_path: Path):
    ledger = SecretLedger()
    ledger.add("token handed to a test", "Zx8ab_cdEF-1234567890")
    log = tmp_path / "serve.log"
    log.write_text(
        '{"request_id": "-", "msg": "started"}\nINFO: GET /r/Zx8ab_cdEF-1234567890 303\n'
    )
    capture = LogCapture()
    check_external_log(log, into=capture)
    [leak] = ledger.leaks(capture.take())
    assert "GET /r/Zx8ab" in leak.line
