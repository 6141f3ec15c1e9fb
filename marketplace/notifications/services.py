"""The outbox: e-mails are rows written in the same transaction as their cause, sent after
the commit by whoever claims them first, and retried with backoff."""

from __future__ import annotations

import logging
import smtplib
import threading
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from sqlalchemy import and_, or_, select, update

from ..db import after_commit
from ..extensions import db
from ..timeutil import now
from .models import OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
STALE_CLAIM = timedelta(minutes=5)


def queue_email(to: str, template: str, locale: str | None = None, **context) -> OutboxMessage:
    """Render `email/<template>/subject.txt` and `body.txt` in `locale` and queue them."""
    with force_locale(locale or "ja"):
        subject = render_template(f"email/{template}/subject.txt", **context).strip()
        body = render_template(f"email/{template}/body.txt", **context)
    message = OutboxMessage(to=to, subject=subject[:200], body=body)
    db.session.add(message)
    after_commit(_drain_after_commit)
    return message


def _drain_after_commit() -> None:
    mode = current_app.config["OUTBOX_AFTER_COMMIT"]
    if mode == "inline":
        send_due()
    elif mode == "thread":
        app = current_app._get_current_object()
        threading.Thread(target=_drain_in_thread, args=(app,), daemon=True).start()


def _drain_in_thread(app: Flask) -> None:
    with app.app_context():
        try:
            send_due()
        except Exception:  # the cron `flask outbox send` retries; never crash the thread noisily
            log.exception("outbox drain failed")


def _claim(message_id: int) -> bool:
    """Atomically take one row: exactly one sender wins, across threads and processes."""
    current = now()
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            or_(
                and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= current),
                and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < current - STALE_CLAIM),
            ),
        )
        .values(status="sending", claimed_at=current, attempts=OutboxMessage.attempts + 1)
    )
    db.session.commit()
    return result.rowcount == 1


def send_due(limit: int = 100) -> int:
    """Send what is due now; returns how many were sent."""
    current = now()
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            or_(
                and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= current),
                and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < current - STALE_CLAIM),
            )
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    sent = 0
    for message_id in ids:
        if not _claim(message_id):
            continue
        message = db.session.get(OutboxMessage, message_id)
        try:
            _deliver(message)
        except (OSError, smtplib.SMTPException) as exc:
            message.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = "failed"
            else:
                message.status = "pending"
                message.next_attempt_at = now() + timedelta(minutes=2**message.attempts)
            log.warning("e-mail %s not sent (attempt %s): %s", message.id, message.attempts, exc)
        else:
            message.status = "sent"
            message.sent_at = now()
            sent += 1
        db.session.commit()
    return sent


def _deliver(message: OutboxMessage) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="hamaichi")
    email.set_content(message.body)
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=20) as smtp:
        if config["SMTP_USE_TLS"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
        smtp.send_message(email)
