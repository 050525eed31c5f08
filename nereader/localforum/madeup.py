"""Made-up threads that read like a real tag's: varied titles, authors, counts, dates, and posts
with Apple staff among them, from a seeded generator, so the demo is the same forum every run.

The demo fills what the fixture pages lack with these: the tag pages between the captured ones,
a thread for every listed row, and the threads of each topic and subtopic. What a thread says
follows its row: as many replies as the row counts, an accepted answer when the row says
answered, an Apple-recommended reply when the row is marked so, the last post as old as the
row's activity. Nothing here is the site's; the vocabulary only sounds like it.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from html import escape

from nereader.localforum.ages import NOW, activity_text, hours_of
from nereader.localforum.render import Reply, Row

HOUR_MS = 3_600_000


@dataclass(frozen=True)
class Area:
    """What the threads of one tag or subtopic talk about, and how."""

    name: str  # the tag's or subtopic's name
    apis: tuple[str, ...]  # what a title names: a class, a tool, a file
    symptoms: tuple[str, ...]  # what goes wrong, said after an API ("… is never called")
    tasks: tuple[str, ...]  # what people want done ("How to …?")
    tags: tuple[tuple[str, str], ...]  # the area's tags (name, slug), the first always given
    docs: str  # the documentation path its staff link to
    staff: str = "DTS Engineer"  # who answers for Apple
    topic: tuple[str, str] | None = None  # (name, slug) of its topic
    subtopic: tuple[str, str] | None = None  # (name, slug) of its subtopic
    daemon: str = "syslogd"  # what to look for in the system log
    mac: bool = False  # a macOS matter: no iOS versions, no simulator or TestFlight


_NETWORKING = ("App & System Services", "app-and-system-services")

_AREAS = (
    Area("Network Extension",
         ("NEPacketTunnelProvider", "NEFilterDataProvider", "NEDNSProxyProvider",
          "NEAppProxyProvider", "NEHotspotHelper", "NETunnelProviderManager",
          "NEFilterManager", "includeAllNetworks", "NEURLFilterManager", "VPN On Demand",
          "the system extension", "NWConnection in the tunnel", "NEDNSSettingsManager",
          "NEVPNManager", "NEAppPushProvider", "NEFilterPacketProvider",
          "the packet tunnel", "the content filter"),
         ("stops receiving packets after the device sleeps",
          "is never started on a fresh install", "crashes in neagent on launch",
          "drops UDP traffic larger than 1280 bytes", "ignores the excluded routes",
          "fails with NEVPNErrorDomain code 1", "reconnects in a loop on a network change",
          "leaks memory until the system kills it",
          "takes thirty seconds to come up after a reboot",
          "breaks AirDrop and Continuity while connected",
          "sees no flows from Safari", "is not called for QUIC traffic",
          "stays in the connecting state", "loses its DNS settings after Wi-Fi changes",
          "is killed for exceeding the memory limit", "blocks the captive portal sheet",
          "reports the wrong interface", "does not start when the user logs in"),
         ("exclude local network traffic from the tunnel",
          "share state between the app and the provider",
          "debug a packet tunnel provider on device",
          "filter traffic by bundle identifier on macOS",
          "ship a content filter outside the Mac App Store",
          "tell whether the VPN is connected from a widget",
          "route only some domains through the tunnel",
          "update a system extension without a reboot",
          "log from the provider so Console shows it",
          "test a DNS proxy without MDM", "set per-app VPN rules for managed apps",
          "detect a captive network before connecting",
          "read the Wi-Fi network name in the provider",
          "measure throughput inside the tunnel"),
         (("Network Extension", "networkextension"), ("iOS", "ios"), ("macOS", "macos"),
          ("System Extensions", "system-extensions"), ("Network", "network")),
         "networkextension", topic=_NETWORKING,
         subtopic=("Networking", "app-and-system-services-networking")),
    Area("StoreKit",
         ("Transaction.updates", "Product.products(for:)", "the StoreKit configuration file",
          "SubscriptionStoreView", "AppTransaction.shared", "an offer code",
          "the server notification", "Product.purchase()", "a win-back offer",
          "the sandbox account"),
         ("returns an empty array in TestFlight", "is never delivered for renewals",
          "shows the wrong price in the sandbox", "fails with a network error after purchase",
          "reports a refunded transaction as active", "hangs when the sheet is dismissed",
          "does not finish in the background", "is signed with an unknown certificate"),
         ("restore purchases on a new device", "test an introductory offer in the sandbox",
          "verify a JWS transaction on the server", "offer a subscription upgrade",
          "handle Ask to Buy in SwiftUI", "migrate from the original StoreKit API"),
         (("StoreKit", "storekit"), ("In-App Purchase", "in-app-purchase"),
          ("App Store Server API", "app-store-server-api")),
         "storekit", "Frameworks Engineer", ("App & System Services", "app-and-system-services"),
         ("StoreKit", "app-and-system-services-storekit")),
    Area("Core OS",
         ("the file coordinator", "a security-scoped bookmark", "launchd", "the unified log",
          "XPC", "the sandbox container", "a login item", "FileManager",
          "DispatchSource", "the Keychain"),
         ("fails with EPERM on macOS 26", "hangs when the volume is ejected",
          "returns stale data after a restore", "is not inherited by child processes",
          "stops working after the app is updated", "spins at 100% CPU in the background",
          "loses its entries after a reboot", "crashes with EXC_BAD_ACCESS on Intel Macs"),
         ("read a file outside the sandbox", "keep a helper running after logout",
          "share a Keychain item between two apps", "watch a folder for changes",
          "log from a daemon so Console shows it", "run a task at every login"),
         (("macOS", "macos"), ("Files and Storage", "files-and-storage"),
          ("Service Management", "service-management")),
         "foundation", topic=("App & System Services", "app-and-system-services"),
         subtopic=("Core OS", "app-and-system-services-core-os")),
    Area("Drivers",
         ("DriverKit", "an IOUserClient", "the USB dext", "IOUSBHostInterface",
          "the PCIDriverKit entitlement", "a HID event service", "the serial dext",
          "systemextensionsctl"),
         ("is not matched against the device", "fails to load after an update",
          "panics the kernel on disconnect", "stops receiving interrupts after sleep",
          "is rejected with an entitlement error", "never calls Start()"),
         ("talk to a dext from the app", "debug a DriverKit extension",
          "request the DriverKit entitlements", "replace a kext with a dext",
          "match a composite USB device"),
         (("DriverKit", "driverkit"), ("System Extensions", "system-extensions"),
          ("USB", "usb")),
         "driverkit", topic=("App & System Services", "app-and-system-services"),
         subtopic=("Drivers", "app-and-system-services-drivers")),
    Area("Processes & Concurrency",
         ("an actor", "Task.detached", "a Swift 6 data race warning", "MainActor",
          "AsyncStream", "a background task", "NSXPCConnection", "an OperationQueue",
          "a posix_spawn child", "Sendable"),
         ("deadlocks on the main thread", "is never cancelled", "runs on the wrong thread",
          "warns about a non-Sendable capture", "is killed by the watchdog at launch",
          "leaks after the view disappears", "reorders the work it is given"),
         ("migrate a delegate API to async/await", "run work off the main actor",
          "cancel a task when a view goes away", "share a cache between actors",
          "keep a long download going in the background"),
         (("Swift Concurrency", "swift-concurrency"), ("Dispatch", "dispatch"),
          ("XPC", "xpc")),
         "swift/concurrency", topic=("App & System Services", "app-and-system-services"),
         subtopic=("Processes & Concurrency", "app-and-system-services-processes-and-"
                   "concurrency")),
    Area("Notifications",
         ("a push notification", "the notification service extension", "a Live Activity",
          "UNUserNotificationCenter", "the APNs token", "a time-sensitive notification",
          "a broadcast push"),
         ("is never delivered in production", "arrives twice on iOS 26",
          "is not shown when the app is in the foreground", "stops after the device restarts",
          "fails with BadDeviceToken", "does not update the Dynamic Island"),
         ("update a Live Activity from the server", "group notifications by thread",
          "test pushes in the simulator", "decrypt a payload in the service extension",
          "schedule a daily local notification"),
         (("User Notifications", "usernotifications"),
          ("APNS", "apns"), ("ActivityKit", "activitykit")),
         "usernotifications", "Frameworks Engineer",
         ("App & System Services", "app-and-system-services"),
         ("Notifications", "app-and-system-services-notifications")),
    Area("Code Signing",
         ("codesign", "the provisioning profile", "a Developer ID certificate",
          "the hardened runtime", "an embedded framework", "the signing identity",
          "a helper tool"),
         ("is rejected with errSecInternalComponent", "fails on the build server",
          "is not valid for use in process", "reports a nested code error",
          "breaks after renewing the certificate", "is missing from the keychain on CI"),
         ("sign an app on a CI machine", "sign a command-line tool for distribution",
          "move signing to a new Mac", "check what a binary is signed with"),
         (("Code Signing", "code-signing"), ("Xcode", "xcode")),
         "security/code-signing-services",
         topic=("Code Signing", "code-signing"), subtopic=("General", "code-signing-general")),
    Area("Entitlements",
         ("the Network Extension entitlement", "com.apple.developer.associated-domains",
          "the Family Controls entitlement", "an App Group", "the keychain access group",
          "a managed capability", "the restricted entitlement"),
         ("is missing from the provisioning profile", "works in debug but not in TestFlight",
          "is rejected by App Store Connect", "is not granted to the extension",
          "disappears after regenerating the profile"),
         ("request a managed capability", "share an App Group with an extension",
          "use a restricted entitlement in development", "check an app's entitlements"),
         (("Entitlements", "entitlements"), ("Provisioning Profiles", "provisioning-profiles")),
         "bundleresources/entitlements",
         topic=("Code Signing", "code-signing"),
         subtopic=("Entitlements", "code-signing-entitlements")),
    Area("Notarization",
         ("notarytool", "the notarization log", "a stapled ticket", "the installer package",
          "a disk image", "the notary service"),
         ("stays In Progress for hours", "rejects a binary without the hardened runtime",
          "fails with an invalid signature", "cannot be stapled to the zip",
          "reports an unsigned nested binary"),
         ("notarize a command-line tool", "notarize from GitHub Actions",
          "read the notarization log", "staple a ticket to a package"),
         (("Notarization", "notarization"), ("Developer ID", "developer-id")),
         "security/notarizing-macos-software-before-distribution",
         topic=("Code Signing", "code-signing"),
         subtopic=("Notarization", "code-signing-notarization")),
    Area("Xcode",
         ("Xcode 26", "the build system", "SwiftUI previews", "the debugger", "a Swift package",
          "the asset catalog", "xcodebuild", "the test plan", "Xcode Cloud"),
         ("hangs indexing a large project", "fails with a module not found error",
          "crashes when the canvas opens", "builds every target on each change",
          "does not stop at breakpoints", "uses all the memory on the Mac"),
         ("speed up incremental builds", "share schemes with a team", "debug a widget",
          "run UI tests in parallel", "use a local Swift package in a workspace"),
         (("Xcode", "xcode"), ("Swift Packages", "swift-packages"), ("Debugging", "debugging")),
         "xcode", "Xcode Engineer", ("Developer Tools & Services", "developer-tools-and-services"),
         ("Xcode", "developer-tools-and-services-xcode")),
    Area("Instruments",
         ("the Time Profiler", "the Allocations instrument", "a signpost", "the Leaks instrument",
          "xctrace", "the Hangs instrument"),
         ("shows no symbols for my frameworks", "fails to attach to the process",
          "reports a leak in system code", "records nothing on device"),
         ("find what blocks the main thread", "profile app launch",
          "record a trace from the command line", "measure energy use"),
         (("Instruments", "instruments"), ("Performance", "performance")),
         "xcode/instruments", "Xcode Engineer",
         ("Developer Tools & Services", "developer-tools-and-services"),
         ("Instruments", "developer-tools-and-services-instruments")),
    Area("Privacy & Security",
         ("the privacy manifest", "App Tracking Transparency", "the Keychain",
          "Local Network privacy", "a passkey", "the required reason API"),
         ("is flagged in the App Store review", "prompts again after every launch",
          "is not shown to users on iOS 26", "fails with errSecItemNotFound"),
         ("declare a required reason API", "ask for local network access",
          "store a token securely", "sign in with a passkey"),
         (("Privacy", "privacy"), ("Security", "security"), ("Keychain", "keychain")),
         "security", topic=("Privacy & Security", "privacy-and-security"),
         subtopic=("General", "privacy-and-security-general")),
    Area("Accessibility",
         ("VoiceOver", "Dynamic Type", "an accessibility label", "the rotor",
          "Switch Control", "an accessibility action"),
         ("reads the wrong element first", "is ignored in a custom control",
          "cuts off text at the largest sizes", "announces a hidden view"),
         ("group elements for VoiceOver", "support Dynamic Type in a custom font",
          "add a custom rotor", "test with Accessibility Inspector"),
         (("Accessibility", "accessibility"), ("SwiftUI", "swiftui"), ("UIKit", "uikit")),
         "accessibility", "Frameworks Engineer",
         ("Accessibility & Inclusion", "accessibility-and-inclusion"),
         ("General", "accessibility-and-inclusion-general")),
)
# By the tag a tag's threads are made for (networkextension, the demo's tag), and by the
# subtopic each topic listing's threads are made for; the Networking subtopic lists the tag.
_DAEMONS = {"Network Extension": "neagent", "StoreKit": "storekitd", "Core OS": "launchd",
            "Drivers": "kernel", "Processes & Concurrency": "runningboardd",
            "Notifications": "apsd", "Code Signing": "trustd", "Entitlements": "amfid",
            "Notarization": "syspolicyd", "Xcode": "XCBBuildService", "Instruments": "xctrace",
            "Privacy & Security": "tccd", "Accessibility": "accessibilityd"}
_MAC = {"Core OS", "Drivers", "Code Signing", "Notarization", "Instruments"}
_LOGGED = tuple(replace(area, daemon=_DAEMONS.get(area.name, area.daemon),
                        mac=area.name in _MAC) for area in _AREAS)
AREAS: dict[str, Area] = {
    "networkextension": _LOGGED[0],
    **{area.subtopic[1]: area for area in _LOGGED[1:] if area.subtopic is not None}}

AUTHORS = ("mkowalski", "jdev_sf", "ArturT", "nacho_io", "sam-builds", "kenji.t", "lfontaine",
           "pbrandt", "tunnelvision", "oksana_dev", "rrichter", "chris_m", "appsmith42",
           "dmitry.k", "bea_codes", "hollis", "ivan_ios", "marta.s", "ncarter", "quietloop",
           "ravi-n", "swiftlyjo", "tomasz_p", "ursula.v", "wen.li", "yusuf_dev", "zoe.r",
           "macadmin_sf", "fleetops", "indiemakerh")
PLATFORMS = ("iOS 26.5", "iOS 27 beta", "macOS 26.4", "macOS 27 beta", "iPadOS 26.5",
             "iOS 18.7", "macOS 15.7", "visionOS 26", "watchOS 26", "iOS 26.4")
MAC_PLATFORMS = ("macOS 26.4", "macOS 27 beta", "macOS 15.7", "macOS 26.3",
                 "macOS 15.6 on Intel", "macOS 26 on Apple silicon")
CONTEXTS = ("the simulator", "a release build", "TestFlight", "a sandboxed app",
            "an enterprise build", "a SwiftUI app", "a Catalyst app")
MAC_CONTEXTS = ("a release build", "a sandboxed app", "a Developer ID build",
                "an app outside the Mac App Store", "a CI build", "a helper tool")
TITLES = ("{api} {symptom}", "{api} {symptom} on {platform}", "{api}: {symptom}",
          "How to {task}?", "How can I {task}?", "Is it possible to {task}?",
          "{api} {symptom} since {platform}", "Best way to {task}",
          "Unable to {task} on {platform}", "{api} not working in {context}",
          "{api} {symptom} (only in {context})", "Trying to {task}: {api} {symptom}")


def area_of(row: Row) -> Area:
    """The area a row's thread talks about: its subtopic's, else its first known tag's, else
    one named after its tag."""
    if row.subtopic is not None and row.subtopic[1] in AREAS:
        return AREAS[row.subtopic[1]]
    for _name, slug in row.tags:
        if slug in AREAS:
            return AREAS[slug]
    name = row.tags[0][0] if row.tags else "this framework"
    return Area(name, (name,), AREAS["networkextension"].symptoms[:6],
                AREAS["networkextension"].tasks[:4], tuple(row.tags) or ((name, "general"),),
                "")


def generic_area(name: str, topic: tuple[str, str], subtopic: tuple[str, str] | None) -> Area:
    """An area for a topic or subtopic the vocabulary does not know: threads about it, in
    general words."""
    slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    return Area(name, (name, f"the {name} API", f"our {name} integration"),
                ("fails after the latest update", "returns an empty result",
                 "is slow on older devices", "behaves differently in the simulator",
                 "stops working in the background", "crashes on launch"),
                (f"get started with {name}", f"debug {name} issues",
                 f"test {name} before release", f"migrate to the new {name} API"),
                ((name, slug),), "", topic=topic, subtopic=subtopic)


def count_text(value: int) -> str:
    """A count as the site writes it: "37", "3.3k", "4k", "12k"."""
    if value < 1000:
        return str(value)
    whole, tenth = divmod(value * 10 // 1000, 10)
    return f"{whole}k" if tenth == 0 or whole >= 10 else f"{whole}.{tenth}k"


# -- rows ---------------------------------------------------------------------------------------
class Titles:
    """The titles a forum has so far, so that made-up ones never repeat, nor say the same
    thing twice over ("How to X?", "Is it possible to X?")."""

    RECENT = 6  # titles in a row that never share a symptom or a task

    def __init__(self, existing: Iterable[str] = ()) -> None:
        self.seen = set(existing)
        self.uses: Counter[str] = Counter()
        self.recent: list[str] = []

    def fresh(self, title: str, parts: Iterable[str], near: Iterable[str] = ()) -> bool:
        """Take ``title`` unless it or one of its ``parts`` (a task, an API's symptom) has
        been used already, or one of ``near`` (its symptom) was used by a title just before."""
        parts, near = list(parts), list(near)
        if title in self.seen or any(self.uses[p] for p in parts) or (
                set(near) & set(self.recent)):
            return False
        self.seen.add(title)
        self.uses.update(parts)
        self.recent = (self.recent + near)[-self.RECENT:]
        return True


def made_rows(area: Area, rng: random.Random, top: int, ages: list[float],
              titles: Titles | None = None, step: int = 40) -> list[Row]:
    """One row per age (hours, youngest first) for threads of ``area``: ids run down from
    ``top`` about ``step`` apart, titles never repeat (``titles`` knows those already used),
    counts vary as a real tag's do."""
    titles = titles or Titles()
    rows = []
    for n, age in enumerate(ages):
        title, api, symptom, task = _title(area, rng, titles)
        replies = _replies(rng)
        staff = replies > 0 and rng.random() < 0.4
        answered = replies > 0 and rng.random() < (0.45 if staff else 0.15)
        views = int(rng.lognormvariate(4.3, 0.9) * (1 + replies * 0.35) + 10
                    + min(age, 4000) * rng.uniform(0.05, 0.4))
        boosts = min(12, int(rng.expovariate(1.1) * (1 + replies / 12)))
        extra = [t for t in area.tags[1:] if rng.random() < 0.3][:2]
        rows.append(Row(
            id=top - n * step - rng.randrange(step),
            title=title,
            excerpt=_excerpt(area, rng, api, symptom, task),
            replies=replies, boosts=boosts, views=count_text(views),
            activity=activity_text(age),
            answered=answered,
            recommended=staff and rng.random() < 0.12,
            tags=[area.tags[0], *extra],
            topic=area.topic, subtopic=area.subtopic))
    return rows


def spread_ages(rng: random.Random, count: int, days: float = 150.0) -> list[float]:
    """``count`` ages in hours, youngest first, over about ``days``, the first within the
    day, as a listing's activity runs."""
    ages, age = [], rng.uniform(0.1, 20.0)
    mean = max(0.5, 24.0 * days / max(1, count))
    for _ in range(count):
        ages.append(age)
        age += rng.expovariate(1 / mean) + 0.05
    return ages


def _title(area: Area, rng: random.Random, titles: Titles) -> tuple[str, str, str, str]:
    """A fresh title, and the API, symptom and task it was made of (the question goes on
    about the same)."""
    for _ in range(200):
        api, symptom, task = (rng.choice(area.apis), rng.choice(area.symptoms),
                              rng.choice(area.tasks))
        template = rng.choice(TITLES)
        parts = ([f"task:{task}"] if "{task}" in template else []) + (
            [f"api:{api}:{symptom}"] if "{symptom}" in template else [])
        title = _capital(template.format(api=api, symptom=symptom, task=task,
                                         platform=rng.choice(_platforms(area)),
                                         context=rng.choice(_contexts(area))))
        near = [w for w, key in ((symptom, "{symptom}"), (task, "{task}"), (template, ""))
                if key in template]  # the template itself too: no "X not working in" run
        if titles.fresh(title, parts, near):
            return title, api, symptom, task
    title = _capital(f"{api} {symptom} on {rng.choice(_platforms(area))}")
    titles.fresh(title, [])
    return title, api, symptom, task


def _capital(text: str) -> str:
    """The first letter up, unless the first word is a name written in lower case: an
    identifier ("includeAllNetworks"), a tool ("notarytool"), a key ("com.apple…")."""
    first = text.split(" ", 1)[0]
    if any(c.isupper() for c in first) or "." in first or first in _LOWER:
        return text
    return text[:1].upper() + text[1:]


_LOWER = {"notarytool", "codesign", "xcodebuild", "launchd", "xctrace", "systemextensionsctl"}


def _platforms(area: Area) -> tuple[str, ...]:
    return MAC_PLATFORMS if area.mac else PLATFORMS


def _contexts(area: Area) -> tuple[str, ...]:
    return MAC_CONTEXTS if area.mac else CONTEXTS


def _replies(rng: random.Random) -> int:
    """Most threads have a reply or three, a few a long discussion (two reply pages or more)."""
    roll = rng.random()
    if roll < 0.22:
        return 0
    if roll < 0.75:
        return rng.randint(1, 3)
    if roll < 0.95:
        return rng.randint(4, 12)
    return rng.randint(13, 48)


_OPENINGS = ("We ship {product} that uses {api} to {task}.",
             "I'm building {product} and need to {task}.",
             "Our team maintains {product}; it relies on {api}.",
             "In {product} we {task} with {api}.")
_PRODUCTS = ("a VPN client", "an enterprise app", "a small utility", "a parental control app",
             "a menu bar app", "a security product", "a game", "a photo app",
             "an app for field engineers", "an open-source tool")


def _excerpt(area: Area, rng: random.Random, api: str, symptom: str, task: str) -> str:
    """The question's first sentences, as a listing shows them: about what the title says."""
    opening = rng.choice(_OPENINGS).format(product=rng.choice(_PRODUCTS), api=api, task=task)
    problem = rng.choice((
        f"Since {rng.choice(_platforms(area))}, {api} {symptom}.",
        f"On some {'Macs' if area.mac else 'devices'} {api} {symptom}, and I cannot tell why.",
        f"It works in {rng.choice(_contexts(area))}, but {api} {symptom} everywhere else.",
        f"I've read the documentation twice and still can't see how to {task}."))
    return _capital(f"{opening} {problem}")


# -- threads ------------------------------------------------------------------------------------
def thread_posts(row: Row, rng: random.Random) -> tuple[Reply, list[Reply]]:
    """The question and the replies of a row's thread: as many replies as the row counts, the
    accepted one when the row says answered, Apple staff among the authors, the last post as
    old as the row's activity. A post is said again only once its kind's others are said."""
    area = area_of(row)
    subject = next((a for a in area.apis if a.lower() in row.title.lower()), area.apis[0])
    age = hours_of(row.activity)
    if age is None:  # an activity text of another form: some day last month
        age = 24.0 * (30 + row.id % 30)
    last_ms = int((NOW - timedelta(hours=age)).timestamp() * 1000)
    span = max(1, row.replies) * rng.uniform(1.5, 30.0) * HOUR_MS
    start_ms = last_ms - int(span) if row.replies else last_ms
    asker = rng.choice(AUTHORS)
    question = Reply(row.id, asker, _question_html(row, area, subject, rng), start_ms,
                     boosts=row.boosts)
    staff_first = row.replies > 0 and (row.answered or row.recommended or rng.random() < 0.45)
    accepted = -1
    if row.answered and row.replies:
        accepted = 0 if staff_first and rng.random() < 0.7 else rng.randrange(row.replies)
    # Apple recommends one of its own replies: the accepted one when that is staff's.
    recommended = (accepted if accepted >= 0 and staff_first else 0) if (
        row.recommended and row.replies) else -1
    say = _Voices(area, subject, rng)
    replies: list[Reply] = []
    gap = span / max(1, row.replies)
    for i in range(row.replies):
        at = start_ms + int(gap * (i + 1))
        answered = 0 <= accepted < i
        staff = (i == 0 and staff_first) or (i == accepted and staff_first) or (
            i == recommended) or (not answered and rng.random() < 0.12)
        if staff:
            author, body = area.staff, say.staff(answers=i == accepted)
        elif i == accepted:
            author, body = asker, say.solved()
        elif rng.random() < (0.5 if answered else 0.3):
            author, body = asker, say.thanks() if answered else say.asker()
        else:
            author, body = _other(rng, asker), say.after() if answered else say.other()
        reply = Reply(row.id * 1000 + i + 1, author, body, at, staff=staff,
                      accepted=i == accepted, boosts=min(9, int(rng.expovariate(1.3))),
                      recommended=i == recommended, role=area.staff if staff else "")
        if i < row.replies - 1 and rng.random() < 0.12:  # a comment, before the next reply
            reply.comments.append(Reply(row.id * 1000 + 500 + i, _other(rng, author),
                                        say.comment(), at + int(gap / 2)))
        replies.append(reply)
    return question, replies


def _other(rng: random.Random, *not_these: str) -> str:
    return rng.choice([a for a in AUTHORS if a not in not_these])


def _named(api: str) -> str:
    """An API as a post writes it: an identifier in code, words as words."""
    return f"<code>{escape(api)}</code>" if " " not in api else escape(api)


class _Voices:
    """What the people of one thread say: each kind of post from its own list, in a shuffled
    order: one is said again only once the others of its kind are."""

    def __init__(self, area: Area, subject: str, rng: random.Random) -> None:
        self.rng = rng
        docs = (f'<a href="https://developer.apple.com/documentation/{area.docs}">the '
                f"{escape(area.name)} documentation</a>") if area.docs else "the documentation"
        self.platforms = _platforms(area)
        self.words = {"api": _named(subject), "docs": docs, "log": _named(area.daemon),
                      "other": _named(rng.choice(area.apis))}
        self.decks: dict[str, list[str]] = {}

    def _say(self, kind: str, lines: tuple[str, ...]) -> str:
        deck = self.decks.get(kind)
        if not deck:
            deck = self.decks[kind] = self.rng.sample(lines, len(lines))
        return deck.pop().format(platform=escape(self.rng.choice(self.platforms)),
                                 fb=self.rng.randint(15_000_000, 19_999_999), **self.words)

    def staff(self, answers: bool) -> str:
        return self._say("answer", _ANSWERS) if answers else self._say("staff", _STAFF)

    def solved(self) -> str:
        return self._say("solved", _SOLVED)

    def asker(self) -> str:
        return self._say("asker", _ASKER)

    def thanks(self) -> str:
        return self._say("thanks", _THANKS)

    def other(self) -> str:
        return self._say("other", _OTHERS)

    def after(self) -> str:
        return self._say("after", _AFTER)

    def comment(self) -> str:
        return self._say("comment", _COMMENTS)


_ANSWERS = (
    "<p>This is expected: {api} only runs while the system considers it needed. See {docs} "
    "for when that is.</p><p>To get what you want, start it from the app once, then let the "
    "system manage it.</p>",
    "<p>Thanks for the sysdiagnose. The log shows the configuration being replaced before "
    "{api} starts, so the old one never runs. Save it once, then start it in the completion "
    "handler.</p><p>See {docs}.</p>",
    "<p>You need to set this up before the first call, not after:</p><pre><code "
    'class="language-swift">try await manager.loadFromPreferences()\n'
    "manager.isEnabled = true\ntry await manager.saveToPreferences()</code></pre><p>With that "
    "change {api} works here on {platform}.</p>",
)
_STAFF = (
    "<p>Thanks for the post. Please file a bug with a sysdiagnose taken right after it "
    "happens, and post the number here.</p>",
    "<p>Does this reproduce with a small test project? If it does, that makes the bug report "
    "much more useful. Also check the system log for {log} and {api} messages.</p>",
    "<p>{api} is not meant to be used that way; {docs} explains the supported approach. If "
    "that does not cover your case, please file an enhancement request.</p>",
    "<p>I'd like to understand the setup better. Which OS version, and does it happen on a "
    "freshly installed device too?</p>",
)
_SOLVED = (
    "<p>Found it: I was calling {api} before the configuration was saved. Moving it into the "
    "completion handler fixed it.</p>",
    "<p>Solved. The profile on the build machine was an old one; with a fresh profile "
    "everything works.</p>",
)
_ASKER = (
    "<p>Thanks! Filed as FB{fb}.</p>",
    "<p>It happens on {platform} as well, with the sample project too.</p>",
    "<p>Attached the sysdiagnose to the bug report. Anything else I can try meanwhile?</p>",
    "<p>Some more detail: it only happens after the app has been in the background for a "
    "while.</p>",
    "<p>Any update on this? It still happens on {platform}.</p>",
)
_THANKS = (
    "<p>Thanks, that was it.</p>",
    "<p>That explains it, thank you. Works on {platform} now.</p>",
    "<p>Confirmed on our side too, thanks for the quick answer.</p>",
)
_OTHERS = (
    "<p>Same here on {platform}. Did you find a workaround?</p>",
    "<p>We see this too since the last update, but only with {other}.</p>",
    "<p>Did you ever find a fix for this?</p>",
    "<p>Check the system log for {log}. In our case it said the configuration was stale.</p>",
    "<ul><li>Check the entitlement.</li><li>Check the system log for {log}.</li></ul>",
    "<p>Please file a bug with a sysdiagnose and post the number here, the more reports the "
    "better.</p>",
    "<p>+1, a customer reported exactly this yesterday.</p>",
)
_AFTER = (
    "<p>This helped us too, thanks for posting the answer.</p>",
    "<p>For anyone finding this later: the same applies to {other}.</p>",
    "<p>Thanks, that saved me a day.</p>",
)
_COMMENTS = ("<p>Thanks, that helped.</p>", "<p>Which OS version was that on?</p>",
             "<p>Same with {other} here.</p>", "<p>Did that need a reboot?</p>")


def _question_html(row: Row, area: Area, subject: str, rng: random.Random) -> str:
    parts = [f"<p>{escape(row.excerpt)}</p>"]
    if rng.random() < 0.5:
        parts.append("<p>What I have tried so far:</p><ul>"
                     + "".join(f"<li>{escape(t)}</li>" for t in rng.sample((
                         "a clean build and a new provisioning profile",
                         f"a fresh install on {rng.choice(_platforms(area))}",
                         "the sample project from the documentation, which behaves the same",
                         "reading the system log while it happens",
                         f"another {'Mac' if area.mac else 'device'} with the same OS",
                         "turning it off and on again"),
                         rng.randint(2, 3))) + "</ul>")
    if rng.random() < 0.45:
        parts.append(f"<p>The relevant part of our code:</p><pre><code class=\"language-swift\">"
                     f"{escape(_snippet(subject, rng))}</code></pre>")
    parts.append(f"<p>{escape(rng.choice(_ASKS))}</p>")
    return "".join(parts)


_ASKS = ("Has anyone seen this? Any pointers are appreciated.", "Is this expected, or a bug?",
         "What am I missing?", "Thanks in advance for any help.",
         "Is there a supported way to do this?", "Any idea where to look next?")


def _snippet(api: str, rng: random.Random) -> str:
    name = "".join(w[:1].upper() + w[1:] for w in api.replace(".", " ").split()[:2]
                   if w.isascii() and w[:1].isalpha()) or "Thing"
    return rng.choice((
        f"final class {name}Handler {{\n    func start() async throws {{\n"
        f"        let session = try await Session.make()\n"
        f"        try await session.activate()  // {api}\n    }}\n}}",
        f"do {{\n    try await manager.saveToPreferences()\n}} catch {{\n"
        f"    logger.error(\"{api} failed: \\(error)\")\n}}",
        f"let config = Configuration()\nconfig.timeout = 30\n"
        f"config.onChange = {{ state in\n    print(\"{api}:\", state)\n}}",
    ))
