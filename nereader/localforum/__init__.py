"""A local copy of the forum: fixture pages and synthetic tags, served over HTTP or in-process.

Used by the tests (a real server on 127.0.0.1 with fault switches), by ``nereader --demo`` (an
in-process transport, no sockets at all) and by hand (``python -m nereader.localforum``).
"""

from nereader.localforum.routes import Route
from nereader.localforum.site import Faults, Site
from nereader.localforum.transport import SiteTransport

__all__ = ["Faults", "Route", "Site", "SiteTransport", "demo_transport"]


def demo_transport() -> SiteTransport:
    """The transport ``--demo`` runs on: the bundled forum, in-process, served as of today
    (a row "4m" old opens on a post 4 minutes old)."""
    from datetime import UTC, datetime

    return SiteTransport(Site.bundled(), today=datetime.now(UTC))
