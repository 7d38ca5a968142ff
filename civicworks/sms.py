"""Text messages through a pluggable gateway, configured like Django's e-mail backends.

`send_sms(to="+8613800000000", text="...")` hands the message to the backend named by
`settings.CIVICWORKS_SMS_BACKEND`:

- `civicworks.sms.ConsoleBackend` (development): writes the message to standard output.
- `civicworks.sms.HttpBackend` (production): POSTs JSON `{"to", "text", "sender"}` to
  `CIVICWORKS_SMS_GATEWAY_URL` with `Authorization: Bearer CIVICWORKS_SMS_GATEWAY_TOKEN`; any
  2xx answer is accepted. Most commercial SMS gateways take this shape or sit behind a small
  adapter that does.
- `civicworks.sms.MemoryBackend` (tests that only need to read what was sent): keeps the
  messages in `civicworks.sms.outbox`.

A refusal or an unreachable gateway raises `SmsError`; the caller (a Celery task) retries.
"""

import sys
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The gateway did not take the message."""


@dataclass(frozen=True)
class Sms:
    to: str
    text: str


outbox: list[Sms] = []


class ConsoleBackend:
    def send(self, message: Sms) -> None:
        sys.stdout.write(f"SMS to {message.to}: {message.text}\n")
        sys.stdout.flush()


class MemoryBackend:
    def send(self, message: Sms) -> None:
        outbox.append(message)


class HttpBackend:
    def send(self, message: Sms) -> None:
        try:
            answer = requests.post(
                settings.CIVICWORKS_SMS_GATEWAY_URL,
                json={"to": message.to, "text": message.text, "sender": settings.CIVICWORKS_SMS_SENDER},
                headers={"Authorization": f"Bearer {settings.CIVICWORKS_SMS_GATEWAY_TOKEN}"},
                timeout=settings.CIVICWORKS_SMS_GATEWAY_TIMEOUT,
            )
        except requests.RequestException as exc:
            raise SmsError(f"gateway unreachable: {exc}") from exc
        if not answer.ok:
            raise SmsError(f"gateway answered {answer.status_code}")


def send_sms(*, to: str, text: str) -> None:
    import_string(settings.CIVICWORKS_SMS_BACKEND)().send(Sms(to=to, text=text))
