"""A real SMTP server on loopback (aiosmtpd), for the emails the app sends through Django's
SMTP backend. It keeps each message it accepted, parsed; a test can make it refuse
messages (451, a temporary failure: RFC 5321, 4.2.1) or hold them before answering."""

import asyncio
import email
import email.policy
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: bool = False
    hold: float = 0.0  # seconds between receiving a message and answering
    received: int = 0  # messages whose data arrived, answered or not
    port: int = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received += 1
        if self.hold:
            await asyncio.sleep(self.hold)
        if self.refuse:
            return "451 4.3.0 Try again later"
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        parsed["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start() -> tuple[Mailbox, Controller]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    return box, controller


def text_of(message: EmailMessage, kind: str = "plain") -> str:
    return message.get_body(preferencelist=(kind,)).get_content().replace("\r\n", "\n")
