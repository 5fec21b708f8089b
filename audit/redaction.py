"""Keep secrets and personal data out of the logs (ASVS 7.1): every record passes through here.

``install()`` (called from ``audit.apps``) wraps the log record factory, so records are
cleaned where they are made and no handler can see the raw text; ``RedactingFilter`` does the
same on the console handler in case another factory replaced ours.
"""

import logging
import re

MASK = "[verborgen]"

_IBAN = re.compile(r"\b([A-Z]{2})(\d{2})(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b")
_SECRET_ASSIGNMENT = re.compile(
    r"""(?ix)
    (["']?\b[\w-]*(?:password|passwd|wachtwoord|secret|token|session_?key|sessionid
      |csrftoken|api_?key|otp|totp|recovery_?codes?|authorization|cookie)[\w-]*["']?
     \s*[:=]\s*)
    (?:b?["'][^"']*["']|[^\s,;&)}\]]+)
    """
)
# allauth keys inside URLs: e-mail confirmation and password reset links.
_URL_KEY = re.compile(r"(/(?:confirm-email|password/reset/key|uitnodiging|key)/)[^/\s\"']+")
# Long random-looking tokens (session keys, confirmation keys): letters and digits, >= 32 long.
_TOKEN = re.compile(r"\b(?=[A-Za-z0-9_:-]*\d)(?=[A-Za-z0-9_:-]*[A-Za-z])[A-Za-z0-9_:-]{32,}\b")


def redact(text: str) -> str:
    """Return ``text`` with IBANs, secrets and tokens masked and line breaks escaped."""
    text = _SECRET_ASSIGNMENT.sub(lambda m: m.group(1) + MASK, text)
    text = _URL_KEY.sub(lambda m: m.group(1) + MASK, text)
    text = _IBAN.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    text = _TOKEN.sub(MASK, text)
    # A value with a line break could forge a second log line (log injection).
    return text.replace("\r", "\\r").replace("\n", "\\n")


def clean_record(record: logging.LogRecord) -> logging.LogRecord:
    if getattr(record, "_redacted", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a broken format string must not lose the record
        message = f"{record.msg!r} {record.args!r}"
    record.msg = redact(message)
    record.args = ()
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        # Tracebacks keep their lines; only secrets are masked.
        record.exc_text = "\n".join(redact(line) for line in record.exc_text.splitlines())
    record._redacted = True
    return record


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        clean_record(record)
        return True


def install() -> None:
    """Wrap the current log record factory once."""
    current = logging.getLogRecordFactory()
    if getattr(current, "_redacting", False):
        return

    def factory(*args, **kwargs):
        return clean_record(current(*args, **kwargs))

    factory._redacting = True
    logging.setLogRecordFactory(factory)
