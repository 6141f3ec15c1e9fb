"""E-mail goes out only after commit, through a real SMTP server, once, with retries."""

import threading
from datetime import timedelta

import pytest

from marketplace import db as tx
from marketplace.notifications import services as outbox
from marketplace.notifications.models import OutboxMessage
from marketplace.timeutil import freeze, now


def queue(to="buyer@example.jp"):
    # Any template will do: the seller approval e-mail needs a profile-like object.
    class Profile:
        name = "浜丸"

    return outbox.queue_email(to, "seller_approved", locale="en", profile=Profile(), reason="")


@pytest.fixture
def inline(app):
    app.config["OUTBOX_AFTER_COMMIT"] = "inline"


def test_nothing_is_sent_before_commit_or_after_rollback(app, mailbox, inline):
    queue()
    assert mailbox.messages == []
    tx.rollback()
    assert OutboxMessage.query.count() == 0
    assert mailbox.messages == []
    queue()
    tx.commit()
    [mail] = mailbox.to("buyer@example.jp")
    assert mail["Subject"] and "http://shop.test/sell/listings/new" in mail.get_content()
    assert OutboxMessage.query.one().status == "sent"


def test_a_failed_delivery_is_retried_with_backoff(app, mailbox):
    app.config["OUTBOX_AFTER_COMMIT"] = "off"
    queue()
    tx.commit()
    good_port = app.config["SMTP_PORT"]
    app.config["SMTP_PORT"] = 1  # nothing listens there
    assert outbox.send_due() == 0
    message = OutboxMessage.query.one()
    assert message.status == "pending" and message.attempts == 1 and message.last_error
    app.config["SMTP_PORT"] = good_port
    assert outbox.send_due() == 0  # not due yet
    freeze(now() + timedelta(minutes=3))
    assert outbox.send_due() == 1
    assert len(mailbox.messages) == 1


def test_each_message_is_sent_once_by_concurrent_senders(app, mailbox):
    app.config["OUTBOX_AFTER_COMMIT"] = "off"
    for i in range(6):
        queue(f"b{i}@example.jp")
    tx.commit()
    barrier = threading.Barrier(3)

    def sender():
        with app.app_context():
            barrier.wait()
            outbox.send_due()

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m["To"] for m in mailbox.messages) == [f"b{i}@example.jp" for i in range(6)]


def test_the_cli_sends_what_is_waiting(app, mailbox):
    app.config["OUTBOX_AFTER_COMMIT"] = "off"
    queue()
    tx.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "sent 1" in result.output
    assert len(mailbox.messages) == 1


def test_thread_mode_sends_after_commit(app, mailbox):
    app.config["OUTBOX_AFTER_COMMIT"] = "thread"
    queue()
    tx.commit()
    deadline = now() + timedelta(seconds=10)
    import time

    while not mailbox.messages and now() < deadline:
        time.sleep(0.02)
    assert len(mailbox.messages) == 1
