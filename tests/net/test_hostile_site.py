"""A site that serves what no forum should: pages over the size cap, absurd counts, bad feeds."""

from __future__ import annotations

import json

from nereader.localforum.site import Faults, Site


def test_a_page_over_the_size_cap_is_exit_4_not_a_network_failure(cli, site: Site) -> None:  # type: ignore[no-untyped-def]
    """The same page comes back as large on every try: a retry cannot help (exit 3 says it
    may), so it is the page's problem (exit 4), said once, and nothing is retried."""
    site.faults = Faults(oversize=9 * 1024 * 1024)
    code, out, err = cli("list")
    assert (code, out) == (4, "")
    assert "over the 8388608-byte cap" in err and "a retry will not help" in err
    assert err.count("\n") == 1 and site.counters.requests == 1


def test_a_page_over_the_size_cap_is_a_broken_page_in_doctor(cli, site: Site) -> None:  # type: ignore[no-untyped-def]
    site.faults = Faults(oversize=9 * 1024 * 1024, only_path="/forums/tags/networkextension")
    code, out, _ = cli("doctor", "--json")
    listing = json.loads(out)["checks"][0]
    assert code == 4 and listing["source"] == "network" and not listing["ok"]
    assert "byte cap" in listing["problems"][0]
