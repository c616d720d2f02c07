#!/usr/bin/python3
"""A stand-in desktop notification server for the end-to-end test.

Owns org.freedesktop.Notifications on the session bus (the test's private one, from
dbus-run-session), answers like a real server, and appends every Notify call to the file
given as a JSON line: {"id", "app", "summary", "body", "actions"}. A test "clicks" a
notification by emitting ActionInvoked(id, "default") on the bus (dbus-send).

    /usr/bin/python3 scripts/fake-notifications.py LOG_FILE
"""

import json
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

IFACE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


class Server(dbus.service.Object):
    def __init__(self, bus, log):
        super().__init__(bus, PATH)
        self.log = log
        self.last = 0

    @dbus.service.method(IFACE, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app, replaces, icon, summary, body, actions, hints, timeout):
        self.last += 1
        record = {
            "id": self.last,
            "app": str(app),
            "summary": str(summary),
            "body": str(body),
            "actions": [str(a) for a in actions],
        }
        with open(self.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        return dbus.UInt32(self.last)

    @dbus.service.method(IFACE, in_signature="u", out_signature="")
    def CloseNotification(self, _id):
        pass

    @dbus.service.method(IFACE, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["actions", "body"]

    @dbus.service.method(IFACE, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("gurumisha-e2e", "gurumisha", "1", "1.2")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: fake-notifications.py LOG_FILE")
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    name = dbus.service.BusName(IFACE, bus, do_not_queue=True)
    server = Server(bus, sys.argv[1])
    print("fake-notifications: ready", flush=True)
    GLib.MainLoop().run()
    del name, server


if __name__ == "__main__":
    main()
