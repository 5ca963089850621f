"""Warranty domain errors. Each has a stable `code` that clients switch on."""

from __future__ import annotations

from shared.errors import DomainError, ErrorKind, InvalidTransition


class LabelError(DomainError):
    """A label code could not be decoded."""

    code = "label_error"
    kind = ErrorKind.INVALID


class LabelUnknownFormat(LabelError):
    code = "label_unknown_format"


class LabelUnknownFactory(LabelError):
    code = "label_unknown_factory"


class LabelImpossibleDate(LabelError):
    code = "label_impossible_date"


class LabelFutureDate(LabelError):
    code = "label_future_date"


class LabelCheckMismatch(LabelError):
    code = "label_check_mismatch"


class LabelAmbiguousCorrection(LabelError):
    code = "label_ambiguous_correction"


class WarrantyInputError(DomainError):
    """A coverage question that cannot be answered as asked."""

    code = "warranty_invalid_input"
    kind = ErrorKind.INVALID


class ClaimInvalidTransition(InvalidTransition):
    code = "claim_invalid_transition"


class ClaimAlreadyOpen(DomainError):
    code = "claim_already_open"
    kind = ErrorKind.CONFLICT


class RmaNotExpired(DomainError):
    code = "rma_not_expired"
    kind = ErrorKind.CONFLICT


class ResolutionError(DomainError):
    code = "resolution_invalid"
    kind = ErrorKind.INVALID
