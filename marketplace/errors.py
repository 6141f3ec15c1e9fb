"""Domain errors: services raise these; views and the API map them to messages and codes."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the marketplace refused the request. `code` is the API's error code."""

    code = "conflict"
    status = 409

    def __init__(self, message: str, fields: dict[str, str] | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.extra = extra


class Conflict(DomainError):
    code = "conflict"
    status = 409


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 422


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class OutOfStock(DomainError):
    code = "out_of_stock"
    status = 409


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409


class PaymentFailed(DomainError):
    code = "payment_failed"
    status = 402


class PaymentUnavailable(DomainError):
    code = "payment_unavailable"
    status = 503
