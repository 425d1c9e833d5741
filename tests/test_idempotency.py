"""Idempotency-Key on API writes: a retry gets the first answer and writes nothing; the same key with
another request is 422; a malformed key is 400; keys are per user, kept for a set time in the database;
two requests racing with one key do not both write (PostgreSQL, two threads)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests.helpers import auth, move
from tracker import db as tracker_db
from tracker.models import AdoptionEvent, AuditEvent, ChangeIdea, IdempotentRequest, LearningLink, User, utcnow

URL = "/api/v1/adoptions"
KEY = "3f6a1c2e-8d4b-4e21-9a7f-0b5c6d7e8f90"


def events(session) -> int:
    session.rollback()
    count = session.scalar(select(func.count()).select_from(AdoptionEvent))
    session.rollback()
    return count


def keyed(raw: str, key: str = KEY) -> dict[str, str]:
    return {**auth(raw), "Idempotency-Key": key}


def test_a_retry_gets_the_same_answer_and_writes_nothing(seeded, client, token):
    first = client.post(URL, headers=keyed(token["manager"]), json=move())
    assert first.status_code == 201, first.get_data(as_text=True)
    assert events(seeded) == 1
    again = client.post(URL, headers=keyed(token["manager"]), json=move())
    assert again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert events(seeded) == 1
    # Without the key the same body is a new write (here refused: the record has moved on).
    assert client.post(URL, headers=auth(token["manager"]), json=move()).status_code == 409
    assert events(seeded) == 1


def test_a_delete_retried_is_still_204_not_404(seeded, client, token):
    url = "/api/v1/links/1"
    assert client.delete(url, headers=keyed(token["manager"])).status_code == 204
    again = client.delete(url, headers=keyed(token["manager"]))
    assert (again.status_code, again.get_data()) == (204, b"")
    assert client.delete(url, headers=auth(token["manager"])).status_code == 404  # no key: it is gone
    seeded.rollback()
    assert seeded.get(LearningLink, 1) is None


def test_the_same_key_with_a_different_body_is_422_and_writes_nothing(seeded, client, token):
    assert client.post(URL, headers=keyed(token["manager"]), json=move()).status_code == 201
    other = client.post(URL, headers=keyed(token["manager"]), json=move(stage="implementing", expected_version=1))
    assert other.status_code == 422
    message = other.get_json()["error"]["message"]
    assert "Idempotency-Key was first sent with a different request" in message and "Use a new key" in message
    assert events(seeded) == 1
    # Another address with the same body is a different request too.
    assert client.post("/api/v1/links", headers=keyed(token["manager"]), json=move()).status_code == 422


def test_a_refusal_is_kept_and_given_again(seeded, client, token):
    bad = move(stage="flying")
    first = client.post(URL, headers=keyed(token["manager"]), json=bad)
    assert first.status_code == 422
    again = client.post(URL, headers=keyed(token["manager"]), json=bad)
    assert (again.status_code, again.get_json()) == (422, first.get_json())
    assert again.headers["Idempotent-Replayed"] == "true"


def test_keys_are_per_user(seeded, client, token):
    assert client.post(URL, headers=keyed(token["manager"]), json=move()).status_code == 201
    # The administrator's request with the manager's key is the administrator's own first request.
    response = client.post(URL, headers=keyed(token["admin"]), json=move(expected_version=1, stage="implementing"))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert "Idempotent-Replayed" not in response.headers
    assert events(seeded) == 2


def test_a_session_cookie_caller_may_send_a_key_too(signed_in, seeded):
    client = signed_in("manager")
    csrf = client.csrf_token("/")
    headers = {"X-CSRFToken": csrf, "Idempotency-Key": KEY}
    assert client.post(URL, headers=headers, json=move()).status_code == 201
    assert client.post(URL, headers=headers, json=move()).headers["Idempotent-Replayed"] == "true"
    assert client.post(URL, headers={"Idempotency-Key": KEY}, json=move()).status_code == 400  # still needs CSRF
    assert events(seeded) == 1


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "header is empty"),
        ("k" * 256, "may be at most 255"),
        ("has space", "only letters, digits"),
        ("naïve", "only letters, digits"),
        ("a/b", "only letters, digits"),
        ("a;b", "only letters, digits"),
    ],
)
def test_a_malformed_key_is_400_and_writes_nothing(seeded, client, token, key, message):
    response = client.post(URL, headers={**auth(token["manager"]), "Idempotency-Key": key}, json=move())
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]
    assert events(seeded) == 0
    seeded.rollback()
    assert seeded.scalar(select(func.count()).select_from(IdempotentRequest)) == 0


def test_the_longest_key_is_accepted(seeded, client, token):
    assert client.post(URL, headers=keyed(token["manager"], "K" * 255), json=move()).status_code == 201


def test_a_key_is_forgotten_after_the_time_kept(make_app, seeded, token):
    client = make_app(IDEMPOTENCY_KEY_HOURS=1).test_client()
    assert client.post(URL, headers=keyed(token["manager"]), json=move()).status_code == 201
    seeded.rollback()
    seeded.execute(update(IdempotentRequest).values(created_at=utcnow() - timedelta(minutes=61)))
    seeded.commit()
    # Now the same key is a new request: the write runs again (and is refused, the record having moved).
    response = client.post(URL, headers=keyed(token["manager"]), json=move())
    assert response.status_code == 409 and "Idempotent-Replayed" not in response.headers
    seeded.rollback()
    [row] = seeded.scalars(select(IdempotentRequest))
    assert row.status == 409  # the expired row was pruned and the key claimed afresh


def test_a_write_still_being_answered_is_409_with_retry_after(seeded, client, token):
    """What the second of two racing requests sees: the first holds the key and has not answered yet."""
    manager = seeded.scalar(select(User.id).filter_by(email="manager@demo.invalid"))
    with client.application.test_request_context(URL, method="POST", json=move()):
        from tracker.api.guard import request_fingerprint

        print_ = request_fingerprint()
    seeded.execute(
        insert(IdempotentRequest).values(
            user_id=manager, key=KEY, fingerprint=print_, created_at=utcnow(), content_type="", body=b""
        )
    )
    seeded.commit()
    response = client.post(URL, headers=keyed(token["manager"]), json=move())
    assert response.status_code == 409 and response.headers["Retry-After"] == "1"
    assert "still being answered" in response.get_json()["error"]["message"]
    assert events(seeded) == 0


def test_a_write_that_fails_gives_the_key_back(seeded, client, token):
    """A refusal raised as an error (403: trust staff may not log) is not kept: the key can be used again."""
    assert client.post(URL, headers=keyed(token["trust"]), json=move()).status_code == 403
    seeded.rollback()
    assert seeded.scalar(select(func.count()).select_from(IdempotentRequest)) == 0


def test_stored_answers_are_not_audited(seeded, client, token):
    assert client.post(URL, headers=keyed(token["manager"]), json=move()).status_code == 201
    client.post(URL, headers=keyed(token["manager"]), json=move())
    seeded.rollback()
    entities = set(seeded.scalars(select(AuditEvent.entity)))
    assert "idempotent_requests" not in entities and "adoption_events" in entities


def test_the_key_is_unique_per_user_in_the_database(app, seeded):
    """The constraint the race relies on, whatever the application code does."""
    manager = seeded.scalar(select(User.id).filter_by(email="manager@demo.invalid"))
    row = {"user_id": manager, "key": KEY, "fingerprint": "0" * 64, "created_at": utcnow(), "content_type": ""}
    seeded.execute(insert(IdempotentRequest).values(**row, body=b""))
    seeded.commit()
    with pytest.raises(IntegrityError):
        seeded.execute(insert(IdempotentRequest).values(**row, body=b""))
        seeded.commit()
    seeded.rollback()


def race(app, raw: str, key: str, body: dict) -> list[tuple[int, dict | None]]:
    """Two threads send the same keyed write, released together; their answers."""
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def send(i: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(URL, headers=keyed(raw, key), json=body)
        answers[i] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_two_racing_retries_write_once(app, seeded, token):
    """Two threads (two server workers) send the same keyed write at the same moment, six times over:
    each pair writes once. On PostgreSQL the second insert of the key waits for the first to commit,
    then fails on the unique constraint; SQLite lets one writer in at a time."""
    engine = tracker_db.get_engine(app)
    for n, code in enumerate(["RP-01", "RP-02", "RP-03", "SS-01", "SS-02", "SS-03"]):
        answers = race(app, token["manager"], f"race-{n}", move(intervention=code))
        statuses = sorted(status for status, _ in answers)
        assert statuses in ([201, 201], [201, 409]), answers
        if statuses == [201, 201]:  # the second was a replay of the first
            assert answers[0][1] == answers[1][1]
        with Session(engine) as check:
            written = check.scalar(
                select(func.count())
                .select_from(AdoptionEvent)
                .join(ChangeIdea, ChangeIdea.id == AdoptionEvent.change_idea_id)
                .where(ChangeIdea.code == code)
            )
        assert written == 1, (code, answers)


# Answers computed from the body alone (an SPC chart, a simulation): nothing is written, so a read-only
# token may send them and a retry is harmless without a key.
COMPUTATIONS = {"api.spc", "api.simulate"}


def test_every_api_write_is_marked_as_one(app):
    """A new API write gets the scope check and Idempotency-Key by being marked, or this fails."""
    unsafe = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
    }
    assert unsafe >= COMPUTATIONS
    unmarked = {e for e in unsafe - COMPUTATIONS if not getattr(app.view_functions[e], "api_write", False)}
    assert unmarked == set()
    assert {e for e in COMPUTATIONS if getattr(app.view_functions[e], "api_write", False)} == set()
