"""The accessibility tree reader, run inside the desktop sandbox (Debian's python3 and python3-gi).

It is never imported on the host: `agora.envs.desktop.display` copies it into the sandbox and starts it
with the desktop, as ``python3 -I reader.py DIR MAX_OBJECTS WIDTH HEIGHT``, before the application. It
connects to the accessibility bus (AT-SPI) of the episode's session bus, registers one event listener (an
AT-SPI toolkit bridge serves ``GetItems`` only once some client listens), makes the FIFO ``DIR/request``
and serves the episode: each line written to the FIFO names another FIFO, made by the asker under DIR,
that receives one walk of the tree as text. The sandbox's reset kills the reader with every other process
and empties DIR.

A walk asks each application for all its objects in one call (``org.a11y.atspi.Cache.GetItems``: role, name,
states, parent), over a direct connection to the application when it offers one. Objects whose children
GetItems leaves out (those that manage their descendants: file lists, tables) give `MAX_CHILDREN` children
from around the first one showing, asked one by one in pipelined batches, `FETCH_LEVELS` levels deep. Then one
pipelined batch asks the screen extents of the objects written (left out of a line when they lie off the
screen: a scrolled GTK 2 icon view gives its items' extents without the scroll offset), and the text of the
text fields among them. Only showing objects are written (SHOWING, or visible within their parent for the
children fetched one by one), one per line, unnamed layout containers left out:

    application "galculator"
      frame "galculator" (0, 0, 800, 600)
        toggle button "7" (6, 235, 153, 86)
        text "" (7, 32, 786, 52) = "123"

Everything an application controls is bounded: names and texts (`MAX_NAME`, `MAX_TEXT` characters, control
and invisible characters escaped), depth, children per object, objects per walk, characters per walk and
time: at `WALK_BUDGET_S` the walk writes what it has. A last line ``[truncated: ...]`` names the bound that
cut the walk.
"""

import os
import re
import stat
import sys
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi, Gio, GLib  # noqa: E402

MAX_APPS = 8
MAX_ITEMS = 20000
"""The most objects of one application's GetItems reply a walk reads (Gnumeric lists about 600)."""
MAX_DEPTH = 24
MAX_CHILDREN = 60
PROBES = 12
"""How many children, evenly spaced, a walk asks the extents of to find where a long list is scrolled."""
FETCH_LEVELS = 3
"""How many levels under an object whose children GetItems left out a walk fetches one by one."""
MAX_NODES = 400
"""The most objects a walk writes (the command line may lower it)."""
SCREEN_SIZE = (800, 600)
"""The screen's width and height (the command line gives them)."""
MAX_NAME = 80
MAX_TEXT = 120
MAX_TEXT_FIELDS = 60
MAX_CHARS = 16000
WALK_BUDGET_S = 1.0
CALL_TIMEOUT_MS = 1500
REPLY_WAIT_S = 1.0
REQUEST = re.compile(r"[A-Za-z0-9_./-]{1,200}")

ROOT = "/org/a11y/atspi/accessible/root"
ACCESSIBLE = "org.a11y.atspi.Accessible"
COMPONENT = "org.a11y.atspi.Component"
TEXT = "org.a11y.atspi.Text"
REGISTRY = "org.a11y.atspi.Registry"
STATE_SHOWING, STATE_VISIBLE, STATE_MANAGES_DESCENDANTS = 25, 30, 31
PROPERTIES = "org.freedesktop.DBus.Properties"
TEXT_ROLES = {"text", "entry", "spin button", "terminal", "paragraph", "document text", "table cell", "icon"}
"""Roles whose text (the first `MAX_TEXT` characters) is written after the extents: a display, a field."""
LAYOUT_ROLES = {"filler", "panel", "scroll pane", "viewport"}
"""Roles of the layout containers a line is not written for when they have no name (their children move up)."""
LISTENED_EVENT = "document:page-changed"
"""An event no app here sends: listening to it costs nothing, and makes each app's bridge serve GetItems."""
ITEMS_TYPE = "(a((so)(so)(so)iiassusau))"
"""The form of a GetItems reply: object, app, parent, index in parent, child count, interfaces, name, role,
description, states."""
REPLY_TYPES = {
    method: GLib.VariantType(form)
    for method, form in (("GetItems", ITEMS_TYPE), ("GetChildAtIndex", "((so))"), ("GetRole", "(u)"),
                         ("GetState", "(au)"), ("Get", "(v)"), ("GetExtents", "((iiii))"), ("GetText", "(s)"))
}  # fmt: skip
"""The reply form of each method a walk calls (any app may register on the bus: a malformed reply is None)."""
SCREEN = GLib.Variant("(u)", (0,))  # ATSPI_COORD_TYPE_SCREEN
CHILD_COUNT = GLib.Variant("(ss)", (ACCESSIBLE, "ChildCount"))
CHILD_CALLS = (
    (ACCESSIBLE, "GetRole", None),
    (ACCESSIBLE, "GetState", None),
    (PROPERTIES, "Get", GLib.Variant("(ss)", (ACCESSIBLE, "Name"))),
    (COMPONENT, "GetExtents", SCREEN),
    (PROPERTIES, "Get", CHILD_COUNT),
)
"""What an object GetItems did not list is asked (a child of an object that manages its descendants)."""
SHORT_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
APPLICATION = int(Atspi.Role.APPLICATION)
ROLES = {int(r): Atspi.role_get_name(r) for r in (Atspi.Role(i) for i in range(int(Atspi.Role.LAST_DEFINED)))}


def escaped(text, limit):
    """`text` cut to `limit` characters, with backslashes, quotes and unprintable characters escaped."""
    cut = len(text) > limit
    out = []
    for ch in text[:limit]:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch in SHORT_ESCAPES:
            out.append(SHORT_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + ('..."' if cut else '"')


class Bus:
    """The accessibility bus, and a direct connection to each application that offers one."""

    def __init__(self):
        session = Gio.bus_get_sync(Gio.BusType.SESSION, None)
        reply = session.call_sync(
            "org.a11y.Bus",
            "/org/a11y/bus",
            "org.a11y.Bus",
            "GetAddress",
            None,
            GLib.VariantType("(s)"),
            Gio.DBusCallFlags.NONE,
            CALL_TIMEOUT_MS,
            None,
        )
        flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
        self.bus = Gio.DBusConnection.new_for_address_sync(reply.unpack()[0], flags, None, None)
        self.bus.call_sync(
            REGISTRY,
            "/org/a11y/atspi/registry",
            REGISTRY,
            "RegisterEvent",
            GLib.Variant("(s)", (LISTENED_EVENT,)),
            None,
            Gio.DBusCallFlags.NONE,
            CALL_TIMEOUT_MS,
            None,
        )
        self.direct = {}

    def apps(self):
        """The (bus name, root path) of each registered application, at most `MAX_APPS`."""
        reply = self.bus.call_sync(
            REGISTRY,
            ROOT,
            ACCESSIBLE,
            "GetChildren",
            None,
            GLib.VariantType("(a(so))"),
            Gio.DBusCallFlags.NONE,
            CALL_TIMEOUT_MS,
            None,
        )
        return [tuple(app) for app in reply.unpack()[0][:MAX_APPS]]

    def connection(self, name):
        """(connection, destination) for calls to application `name`: direct when it offers a socket."""
        if name not in self.direct:
            self.direct[name] = None
            try:
                reply = self.bus.call_sync(
                    name,
                    ROOT,
                    "org.a11y.atspi.Application",
                    "GetApplicationBusAddress",
                    None,
                    GLib.VariantType("(s)"),
                    Gio.DBusCallFlags.NONE,
                    300,
                    None,
                )
                address = reply.unpack()[0]
                if address:
                    flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
                    self.direct[name] = Gio.DBusConnection.new_for_address_sync(address, flags, None, None)
            except GLib.Error:
                pass
        direct = self.direct[name]
        return (direct, None) if direct is not None and not direct.is_closed() else (self.bus, name)


def unpacked(variant):
    """The Python value of a small reply, or None."""
    return None if variant is None else variant.unpack()


def batch(bus, calls, deadline):
    """Sends every call at once and waits for the replies until `deadline`; a missing reply is None.

    Each call is (app bus name, object path, interface, method, parameters or None); each reply a GLib.Variant.
    """
    results = [None] * len(calls)
    if not calls:
        return results
    loop, cancel, pending = GLib.MainLoop(), Gio.Cancellable(), [len(calls)]

    def done(conn, result, index):
        try:
            results[index] = conn.call_finish(result)
        except GLib.Error:
            pass
        pending[0] -= 1
        if pending[0] == 0:
            loop.quit()

    for index, (name, path, interface, method, args) in enumerate(calls):
        conn, dest = bus.connection(name)
        conn.call(
            dest,
            path,
            interface,
            method,
            args,
            REPLY_TYPES[method],  # a reply of another form is an error, so None here
            Gio.DBusCallFlags.NO_AUTO_START,
            CALL_TIMEOUT_MS,
            cancel,
            done,
            index,
        )
    timer = GLib.timeout_add(max(1, int((deadline - time.monotonic()) * 1000)), loop.quit)
    loop.run()
    if pending[0]:
        cancel.cancel()
    else:
        GLib.source_remove(timer)
    return results


class Node:
    """One accessible object: its role, name, states, children known so far, and what a walk fetched of it."""

    __slots__ = ("app", "path", "role", "name", "showing", "manages", "count", "cached", "children", "extents",
                 "text", "has_text", "first")  # fmt: skip

    def __init__(self, app, path, role, name, states, count, interfaces=()):
        self.app, self.path, self.role, self.name = app, path, ROLES.get(role, "unknown"), name
        low = states[0] if states else 0
        self.showing = bool(low >> STATE_SHOWING & 1)
        self.manages = bool(low >> STATE_MANAGES_DESCENDANTS & 1)
        self.count, self.cached = count, 0  # its children: how many it has, how many GetItems listed
        self.has_text = TEXT in interfaces and self.role in TEXT_ROLES
        self.children, self.extents, self.text = [], None, None
        self.first = 0  # the index of its first child a walk fetches one by one

    def incomplete(self):
        """True when GetItems left out some of its children (objects that manage their descendants, and others)."""
        return self.manages or self.count > self.cached


def app_tree(name, reply):
    """(root Node or None, showing Nodes by path) of one application's GetItems reply, linked to their parents.

    The reply is read field by field (unpacking all of it costs 0.1 s for Gnumeric's 600 objects, most of them
    in menus that are not showing); only showing objects (and the application) become Nodes.
    """
    if reply.get_type_string() != ITEMS_TYPE:  # any app may register: read only what has the documented form
        return None, {}
    items = reply.get_child_value(0)
    nodes, links, listed = {}, [], {}
    for i in range(min(items.n_children(), MAX_ITEMS)):
        item = items.get_child_value(i)
        parent = item.get_child_value(2).get_child_value(1).get_string()
        listed[parent] = listed.get(parent, 0) + 1
        words = item.get_child_value(9)
        low = words.get_child_value(0).get_uint32() if words.n_children() else 0
        role = item.get_child_value(7).get_uint32()
        if role != APPLICATION and not low >> STATE_SHOWING & 1:
            continue
        path = item.get_child_value(0).get_child_value(1).get_string()
        nodes[path] = Node(name, path, role, item.get_child_value(6).get_string(), [low],
                           item.get_child_value(4).get_int32(), item.get_child_value(5).get_strv())  # fmt: skip
        links.append((item.get_child_value(3).get_int32(), path, parent))
    for _, path, parent in sorted(links):
        if parent in nodes and parent != path:
            nodes[parent].children.append(nodes[path])
    for path, node in nodes.items():
        node.cached = listed.get(path, 0)
    return nodes.get(ROOT), nodes


class Walk:
    """One walk: the showing objects chosen within the bounds, in the order written, and why it was cut."""

    def __init__(self, bus):
        self.bus = bus
        self.deadline = time.monotonic() + WALK_BUDGET_S
        self.chosen = []  # (depth, Node): the lines, in order
        self.cut = ""

    def truncate(self, reason):
        """Notes the first bound that cut the walk."""
        self.cut = self.cut or reason

    def late(self):
        """True (and noted) once the time budget is spent."""
        if time.monotonic() < self.deadline:
            return False
        self.truncate(f"the {WALK_BUDGET_S:.1f} s time budget")
        return True

    def expand(self, roots, known):
        """Fetches the children GetItems left out, level by level (at most `FETCH_LEVELS`, `MAX_NODES` in all).

        An object that manages its descendants (a file list, a table) leaves them out, as there may be
        millions; each such object gives `MAX_CHILDREN` of them, asked one by one in pipelined batches: from
        the first, or, when it has more, from around the first one showing (a scrolled list).
        """
        todo, room = incomplete(roots), MAX_NODES
        for _ in range(FETCH_LEVELS):
            if not todo or room <= 0 or self.late():
                return
            self.measure(todo)
            self.find_windows([node for node in todo if node.count > MAX_CHILDREN])
            refs = self.child_refs(todo, room)
            room -= len(refs)
            fresh = self.describe([ref for ref in refs if ref[2] not in known])
            for node in todo:
                node.children = []
            for owner, _, path in refs:
                child = known.get(path) or fresh.get(path)
                if child is not None:
                    owner.children.append(child)
            todo = [node for node in fresh.values() if node.showing and node.count > 0]

    def measure(self, nodes):
        """Sets the child count and the extents of `nodes`, in one batch.

        GetItems gives -1 as the child count of objects that manage their descendants.
        """
        calls = [(node.app, node.path, PROPERTIES, "Get", CHILD_COUNT) for node in nodes if node.count < 0]
        calls += [(node.app, node.path, COMPONENT, "GetExtents", SCREEN) for node in nodes if node.extents is None]
        by_path = {node.path: node for node in nodes}
        answers = map(unpacked, batch(self.bus, calls, self.deadline))
        for (_, path, _, method, _), answer in zip(calls, answers, strict=True):
            node = by_path[path]
            if method == "Get":
                node.count = answer[0] if answer is not None and isinstance(answer[0], int) else 0
            elif answer is not None:
                node.extents = answer[0]

    def find_windows(self, owners):
        """Sets where the children of `owners` (more than `MAX_CHILDREN` each) are fetched from.

        `PROBES` children of each, evenly spaced, are asked their states; the fetch starts at the probe before
        the first one showing (a list scrolled down shows its later children).
        """
        probes = [(node, node.count * k // PROBES) for node in owners for k in range(PROBES)]
        calls = [(node.app, node.path, ACCESSIBLE, "GetChildAtIndex", GLib.Variant("(i)", (i,))) for node, i in probes]
        refs = map(unpacked, batch(self.bus, calls, self.deadline))
        asked = [(node, index, ref[0][1]) for (node, index), ref in zip(probes, refs, strict=True) if ref is not None]
        calls = [(node.app, path, ACCESSIBLE, "GetState", None) for node, _, path in asked]
        states = map(unpacked, batch(self.bus, calls, self.deadline))
        previous, found = {}, set()
        for (node, index, _), state in zip(asked, states, strict=True):
            if node.path in found:
                continue
            if state is not None and state[0] and state[0][0] >> STATE_SHOWING & 1:
                node.first = previous.get(node.path, 0)
                found.add(node.path)
            else:
                previous[node.path] = index

    def child_refs(self, owners, room):
        """(owner, app, path) of `MAX_CHILDREN` children of each of `owners`, from its `first`, `room` in all."""
        calls, asked = [], []
        for node in owners:
            if node.count > MAX_CHILDREN:
                self.truncate(f"at most {MAX_CHILDREN} children per object")
            for index in range(node.first, node.first + min(node.count - node.first, MAX_CHILDREN, room - len(calls))):
                calls.append((node.app, node.path, ACCESSIBLE, "GetChildAtIndex", GLib.Variant("(i)", (index,))))
                asked.append(node)
        refs = map(unpacked, batch(self.bus, calls, self.deadline))
        return [(owner, owner.app, ref[0][1]) for owner, ref in zip(asked, refs, strict=True) if ref is not None]

    def describe(self, refs):
        """Nodes by path for the (owner, app, path) GetItems did not list: role, states, name, extents, child count.

        A visible child within its owner's extents counts as showing: a file list's new item may lack SHOWING
        (GTK 2's icon view).
        """
        calls = [
            (app, path, interface, method, args) for _, app, path in refs for interface, method, args in CHILD_CALLS
        ]
        answers = list(map(unpacked, batch(self.bus, calls, self.deadline)))
        nodes = {}
        for k, (owner, app, path) in enumerate(refs):
            role, states, name, extents, count = answers[len(CHILD_CALLS) * k : len(CHILD_CALLS) * (k + 1)]
            if None in (role, states, name, count):
                self.late()
                continue
            if not isinstance(name[0], str) or not isinstance(count[0], int):
                continue
            node = Node(app, path, role[0], name[0], states[0], count[0])
            node.extents = extents[0] if extents else None
            node.showing = node.showing or visible_within(states[0], node.extents, owner.extents)
            node.has_text = node.role in TEXT_ROLES and not node.name  # a file list's items: their text, if any
            nodes[path] = node
        return nodes

    def choose(self, node, depth, level=0):
        """Adds `node` and its showing descendants within the bounds; unnamed layout objects are skipped over.

        `depth` is the indentation of the lines, `level` the real depth (bounded by `MAX_DEPTH`).
        """
        if level and node.role in LAYOUT_ROLES and not node.name:
            depth -= 1
        elif len(self.chosen) >= MAX_NODES:
            return self.truncate(f"at most {MAX_NODES} objects")
        else:
            self.chosen.append((depth, node))
        if level >= MAX_DEPTH:
            return self.truncate(f"at most {MAX_DEPTH} levels")
        shown = [child for child in node.children if child.showing]
        if len(shown) > MAX_CHILDREN:
            self.truncate(f"at most {MAX_CHILDREN} children per object")
        for child in shown[:MAX_CHILDREN]:
            self.choose(child, depth + 1, level + 1)

    def details(self):
        """Fetches the extents of the chosen objects, and the text of the first text fields, in one batch."""
        calls, targets = [], []
        for _, node in self.chosen:
            if node.path != ROOT and node.extents is None:
                calls.append((node.app, node.path, COMPONENT, "GetExtents", SCREEN))
                targets.append((node, "extents"))
        for node in [node for _, node in self.chosen if node.has_text][:MAX_TEXT_FIELDS]:
            calls.append((node.app, node.path, TEXT, "GetText", GLib.Variant("(ii)", (0, MAX_TEXT + 1))))
            targets.append((node, "text"))
        answers = map(unpacked, batch(self.bus, calls, self.deadline))
        for (node, field), answer in zip(targets, answers, strict=True):
            if answer is None:
                self.late()
            else:
                setattr(node, field, answer[0])


def overlaps(extents, area):
    """True when the rectangle `extents` (x, y, width, height) and `area` share pixels."""
    x, y, width, height = extents
    ax, ay, aw, ah = area
    return width > 0 and height > 0 and x < ax + aw and ax < x + width and y < ay + ah and ay < y + height


def visible_within(states, extents, area):
    """True for an object in the VISIBLE state whose extents overlap `area` (or the screen, without one)."""
    if not states or not states[0] >> STATE_VISIBLE & 1 or extents is None:
        return False
    return overlaps(extents, area or (0, 0, *SCREEN_SIZE))


def incomplete(roots):
    """The showing objects under `roots` whose children GetItems left out, in tree order."""
    found, stack = [], [(root, 0) for root in reversed(roots)]
    while stack:
        node, level = stack.pop()
        if node.incomplete() and node.path != ROOT:
            found.append(node)
        elif level < MAX_DEPTH:
            stack += [(child, level + 1) for child in reversed(node.children) if child.showing]
    return found[:MAX_NODES]


def walk(bus):
    """The tree as text (see the module docs); '' when no application shows an accessible object."""
    state, roots, known = Walk(bus), [], {}
    apps = bus.apps()
    calls = [(name, "/org/a11y/atspi/cache", "org.a11y.atspi.Cache", "GetItems", None) for name, _ in apps]
    for (name, _), reply in zip(apps, batch(bus, calls, state.deadline), strict=True):
        root, nodes = app_tree(name, reply) if reply is not None else (None, {})
        if root is not None and any(child.showing for child in root.children):
            roots.append(root)
            known.update(nodes)
        elif reply is None:
            state.truncate(f"an application did not answer within {WALK_BUDGET_S:.1f} s")
    state.expand(roots, known)
    for root in roots:
        state.choose(root, 0)
    state.details()
    return render(state)


def render(state):
    """The chosen objects as indented lines, cut at `MAX_CHARS`, and the truncation line."""
    lines, total = [], 0
    for depth, node in state.chosen:
        line = "  " * depth + f"{node.role} {escaped(node.name, MAX_NAME)}"
        if node.extents is not None and overlaps(node.extents, (0, 0, *SCREEN_SIZE)):  # else not on the screen,
            line += " ({}, {}, {}, {})".format(*node.extents)  # or wrong (a scrolled GTK 2 icon view's items)
        if node.text:
            line += " = " + escaped(node.text, MAX_TEXT)
        if total + len(line) + 1 > MAX_CHARS:
            state.truncate(f"at most {MAX_CHARS} characters")
            break
        lines.append(line)
        total += len(line) + 1
    if state.cut:
        lines.append(f"[truncated: {state.cut}]")
    return "\n".join(lines)


def reply(path, text):
    """Writes `text` to the FIFO `path` once its reader opens it (at most `REPLY_WAIT_S`), then closes it."""
    deadline = time.monotonic() + REPLY_WAIT_S
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError:  # ENXIO: not opened for reading yet; ENOENT: the asker gave up
            if time.monotonic() > deadline:
                return
            time.sleep(0.002)
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            os.set_blocking(fd, True)
            os.write(fd, (text + "\n").encode("utf-8", "replace"))
    except OSError:
        pass
    finally:
        os.close(fd)


def connect():
    """The accessibility bus with this reader's listener registered, or None when it cannot be reached yet."""
    try:
        return Bus()
    except GLib.Error:
        return None


def answer(bus):
    """(bus, text) for one request: a walk, or why there is none; the bus is None when it must be reconnected."""
    bus = bus or connect()
    if bus is None:
        return None, "[unavailable: no accessibility bus]"
    try:
        return bus, walk(bus)
    except GLib.Error as e:
        return None, f"[unavailable: {escaped(e.message, 200)}]"
    except Exception as e:  # a malformed reply must not end the reader, which serves the whole episode
        return bus, f"[unavailable: {type(e).__name__}]"


def requests(fd, directory):
    """The reply FIFOs named in the next read of the request FIFO (complete lines under `directory` only)."""
    data = os.read(fd, 4096)
    paths = [line.decode("ascii", "replace") for line in data.split(b"\n")]
    return [p for p in paths if REQUEST.fullmatch(p) and p.startswith(directory + "/") and ".." not in p]


def serve(directory):
    """Connects, makes ``directory/request`` and answers the requests written to it, for the whole episode."""
    bus = connect()  # before the request FIFO exists: the desktop waits for the FIFO, so apps find the listener
    request = os.path.join(directory, "request")
    os.makedirs(directory, exist_ok=True)
    os.mkfifo(request, 0o600)
    fd = os.open(request, os.O_RDWR)  # never sees end-of-file: one open for the whole episode
    while True:
        asked = requests(fd, directory)
        if asked:
            bus, text = answer(bus)
            for path in asked[-4:]:
                reply(path, text)


if __name__ == "__main__":
    MAX_NODES = max(1, min(MAX_NODES, int(sys.argv[2])))
    SCREEN_SIZE = (int(sys.argv[3]), int(sys.argv[4]))
    serve(sys.argv[1])
