"""The terminal driver: Textual's own, except that a lone esc is answered after ESCDELAY.

Textual's input thread polls the terminal every 100 ms and only then notices that an esc had
no escape sequence after it, so every esc (back from a thread, clear the filter, close a
dialog) waited a tenth of a second. Here the wait after a trailing esc is ESCDELAY (25 ms by
default, see ``cli.app``); otherwise the loop is Textual's (textual 8, drivers/linux_driver).
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder

from textual import constants
from textual._loop import loop_last
from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

IDLE_POLL = 0.1  # Textual's own poll, while nothing waits on a timeout
ESC = "\x1b"


class Driver(LinuxDriver):
    def run_input_thread(self) -> None:
        """Wait for input and dispatch events (Textual's loop with a shorter wait after esc)."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        fileno = self.fileno
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode

        def process(events: list[tuple[selectors.SelectorKey, int]], pending: int,
                    final: bool = False) -> int:
            """Feed what arrived to the parser; how many short waits a lone esc may still need
            to become a key (0: none waits)."""
            for last, (_key, mask) in loop_last(events):
                if mask & selectors.EVENT_READ:
                    data = decode(os.read(fileno, 1024 * 4), final=final and last)
                    if not data:
                        break  # stdin is piped
                    pending = 4 if data.endswith(ESC) else 0
                    for event in parser.feed(data):
                        self.process_message(event)
            for event in parser.tick():
                pending = 1  # the esc became a key
                self.process_message(event)
            return max(0, pending - 1)

        pending = 0
        try:
            while not self.exit_event.is_set():
                # Just after an esc, look again as soon as the parser may call it a key.
                wait = constants.ESCAPE_DELAY / 2 if pending else IDLE_POLL
                pending = process(selector.select(wait), pending)
            selector.unregister(self.fileno)
            process(selector.select(IDLE_POLL), 0, final=True)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass
