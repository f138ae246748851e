#!/usr/bin/env python3
"""A Docker Engine impersonated on a unix socket, for tests that cannot run
the real one (Docker >= 25 does not run here; Debian's docker.io is 20.10).

Usage: fake_engine.py SOCKET PROFILE LOG [--flood]

PROFILE is the Engine release to answer as: 20.10, 24, 25, 27, 28 or 29
(API 1.41, 1.43, 1.44, 1.47, 1.51, 1.52). What each answers was taken from
moby's source at that release (api/common.go, the version middleware,
api/docs/CHANGELOG.md and v1.XX.yaml), not copied from it:
  - GET /version and /_ping (Api-Version, Server, Ostype headers) with the
    release's ApiVersion and MinAPIVersion (1.12 up to 24, 1.24 from 25,
    1.44 from 29);
  - a path whose /vX.Y is below MinAPIVersion or above ApiVersion is refused
    with the middleware's exact 400 message;
  - version-specific JSON: <none>:<none> placeholders in image lists before
    1.43, VirtualSize before 1.44, the legacy status/id/from event fields
    before 1.52, the legacy NetworkSettings fields before 1.52, events as
    application/x-ndjson or application/json-seq on request from 1.52.
It is enough of an Engine for the real Docker CLI (`docker -H unix://SOCK
version|ps|images|events`) and for the governor (list, inspect, events,
update, stop, kill, container delete, container/image/build prune, image list and delete).

Every request is appended to LOG as one JSON line {"t", "method", "path",
"body"} (t: monotonic seconds), so a test can assert what it was asked.

Test control (not Docker's API; never logged), JSON bodies:
  POST /_fake/containers   {name, image, labels, memory, pid, running}
                           create (and start when running) a container; its
                           create/start events are streamed; answers {Id}
  POST /_fake/containers/NAME/set  {memory, memory_swap}: change a limit
                           behind the governor's back (an update event)
  POST /_fake/images       {tags, size, created, id}: add an image; answers {Id}
  POST /_fake/flood        {rate, seconds}: stream that many container
                           events per second (starts and dies of unknown
                           ids, ids repeating); with --flood, inspects of
                           them are never answered
  GET  /_fake/state        {containers: [...], images: [...], events: N emitted}

A container's pid may be a real process: when it exits the container dies
(die event), as when the governor kills through cgroup.kill.
"""
import hashlib
import json
import os
import re
import socket
import socketserver
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

# Engine release → (Version, ApiVersion, MinAPIVersion, GoVersion, GitCommit)
PROFILES = {
    "20.10": ("20.10.24+dfsg1", "1.41", "1.12", "go1.19.8", "5d6db84"),
    "24": ("24.0.9", "1.43", "1.12", "go1.20.13", "fca702d"),
    "25": ("25.0.5", "1.44", "1.24", "go1.21.8", "e63daec"),
    "27": ("27.5.1", "1.47", "1.24", "go1.22.11", "4c9b3b0"),
    "28": ("28.5.2", "1.51", "1.24", "go1.24.9", "89c5e8f"),
    "29": ("29.1.0", "1.52", "1.44", "go1.25.4", "c4a2dcd"),
}


def vtuple(v):
    major, minor = v.split(".")
    return int(major), int(minor)


def rfc3339(t):
    secs = int(t)
    nanos = int(round((t - secs) * 1e9))
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + ".%09dZ" % nanos


def chunk(data):
    return b"%x\r\n%s\r\n" % (len(data), data)


def new_id(seed):
    return hashlib.sha256(("%s %f" % (seed, time.time())).encode()).hexdigest()


class Engine:
    def __init__(self, profile, log_path, flood):
        self.version, self.api, self.min_api, self.go, self.commit = PROFILES[profile]
        self.log_path = log_path
        self.flood_mode = flood
        self.lock = threading.Condition()
        self.containers = {}  # id → dict
        self.images = {}  # id → dict
        self.events = []  # (timeNano, message) in order
        self.flood_ids = set()
        self.n_events = 0
        self.log_lock = threading.Lock()

    # ---- bookkeeping ----
    def log(self, method, path, body):
        line = json.dumps({"t": round(time.monotonic(), 3), "method": method, "path": path,
                           "body": body})
        with self.log_lock, open(self.log_path, "a") as f:
            f.write(line + "\n")

    def emit(self, type_, action, actor_id, attributes):
        """Record an event (lock held by the caller)."""
        now = time.time_ns()
        msg = {"Type": type_, "Action": action,
               "Actor": {"ID": actor_id, "Attributes": attributes},
               "scope": "local", "time": now // 10**9, "timeNano": now}
        self.events.append((now, msg))
        self.n_events += 1
        if len(self.events) > 100000:
            del self.events[:50000]
        self.lock.notify_all()

    def container_event(self, c, action, extra=None):
        attrs = dict(c["labels"])
        attrs.update({"image": c["image"], "name": c["name"]})
        if extra:
            attrs.update(extra)
        self.emit("container", action, c["id"], attrs)

    def find(self, ref):
        if ref in self.containers:
            return self.containers[ref]
        for c in self.containers.values():
            if c["name"] == ref or (len(ref) >= 12 and c["id"].startswith(ref)):
                return c
        return None

    def image_by_ref(self, ref):
        for i in self.images.values():
            if ref in (i["id"], i["id"][7:], i["id"][7:19]) or ref in i["tags"]:
                return i
        return None

    # ---- shapes, per API version ----
    def version_json(self):
        return {
            "Platform": {"Name": "" if self.version.startswith("20.") else
                         "Docker Engine - Community"},
            "Components": [
                {"Name": "Engine", "Version": self.version,
                 "Details": {"ApiVersion": self.api, "Arch": "amd64",
                             "BuildTime": "2025-11-17T12:00:00.000000000+00:00",
                             "Experimental": "false", "GitCommit": self.commit,
                             "GoVersion": self.go, "KernelVersion": os.uname().release,
                             "MinAPIVersion": self.min_api, "Os": "linux"}},
                {"Name": "containerd", "Version": "1.7.28",
                 "Details": {"GitCommit": "b98a3aace656320842a23f4a392a33f46af97866"}},
                {"Name": "runc", "Version": "1.3.3", "Details": {"GitCommit": "v1.3.3-0-gd842d771"}},
                {"Name": "docker-init", "Version": "0.19.0", "Details": {"GitCommit": "de40ad0"}},
            ],
            "Version": self.version, "ApiVersion": self.api, "MinAPIVersion": self.min_api,
            "GitCommit": self.commit, "GoVersion": self.go, "Os": "linux", "Arch": "amd64",
            "KernelVersion": os.uname().release,
            "BuildTime": "2025-11-17T12:00:00.000000000+00:00",
        }

    def state_word(self, c):
        return "running" if c["running"] else ("exited" if c["started"] else "created")

    def list_json(self, c, api):
        return {
            "Id": c["id"], "Names": ["/" + c["name"]], "Image": c["image"],
            "ImageID": c["image_id"], "Command": "sleep 1000", "Created": int(c["created"]),
            "Ports": [], "Labels": c["labels"], "State": self.state_word(c),
            "Status": "Up 1 second" if c["running"] else "Exited (137) 1 second ago",
            "HostConfig": {"NetworkMode": "none"},
            "NetworkSettings": {"Networks": {}}, "Mounts": [],
        }

    def inspect_json(self, c, api):
        net = {"SandboxID": "", "Ports": {}, "SandboxKey": "", "Networks": {}}
        if vtuple(api) < (1, 52):
            # deprecated since 1.21, omitted from 1.52
            net.update({"Bridge": "", "HairpinMode": False, "LinkLocalIPv6Address": "",
                        "LinkLocalIPv6PrefixLen": 0, "SecondaryIPAddresses": None,
                        "SecondaryIPv6Addresses": None, "EndpointID": "", "Gateway": "",
                        "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0, "IPAddress": "",
                        "IPPrefixLen": 0, "IPv6Gateway": "", "MacAddress": ""})
        host = json.loads(json.dumps(HOSTCONFIG_2010))
        host.update({"Memory": c["memory"], "MemorySwap": c["memory_swap"]})
        if vtuple(api) >= (1, 42):
            del host["KernelMemory"]  # omitted when unset from 1.42
            del host["KernelMemoryTCP"]
        config = {"Hostname": c["id"][:12], "Domainname": "", "User": "", "AttachStdin": False,
                  "AttachStdout": False, "AttachStderr": False, "Tty": False,
                  "OpenStdin": False, "StdinOnce": False, "Env": [],
                  "Cmd": ["sleep", "1000"], "Image": c["image"], "Volumes": None,
                  "WorkingDir": "", "Entrypoint": None, "Labels": c["labels"]}
        if vtuple(api) < (1, 52):
            config["OnBuild"] = None
        return {
            "Id": c["id"], "Created": rfc3339(c["created"]), "Path": "sleep", "Args": ["1000"],
            "ResolvConfPath": "/var/lib/docker/containers/%s/resolv.conf" % c["id"],
            "HostnamePath": "/var/lib/docker/containers/%s/hostname" % c["id"],
            "HostsPath": "/var/lib/docker/containers/%s/hosts" % c["id"],
            "LogPath": "/var/lib/docker/containers/%s/%s-json.log" % (c["id"], c["id"]),
            "GraphDriver": {"Name": "overlay2", "Data": None},
            "State": {"Status": self.state_word(c), "Running": c["running"], "Paused": False,
                      "Restarting": False, "OOMKilled": False, "Dead": False,
                      "Pid": c["pid"] if c["running"] else 0,
                      "ExitCode": 0 if c["running"] else 137, "Error": "",
                      "StartedAt": rfc3339(c["started"]) if c["started"] else
                      "0001-01-01T00:00:00Z",
                      "FinishedAt": "0001-01-01T00:00:00Z"},
            "Image": c["image_id"], "Name": "/" + c["name"], "RestartCount": 0,
            "Driver": "overlay2", "Platform": "linux", "MountLabel": "", "ProcessLabel": "",
            "AppArmorProfile": "", "ExecIDs": None, "HostConfig": host, "Mounts": [],
            "Config": config, "NetworkSettings": net,
        }

    def image_json(self, i, api):
        old = vtuple(api) < (1, 43)
        j = {"Containers": -1, "Created": int(i["created"]), "Id": i["id"], "Labels": None,
             "ParentId": "",
             "RepoDigests": ["<none>@<none>"] if old and not i["tags"] else [],
             "RepoTags": i["tags"] or (["<none>:<none>"] if old else []),
             "SharedSize": -1, "Size": i["size"]}
        if vtuple(api) < (1, 44):
            j["VirtualSize"] = i["size"]  # gone from 1.44
        return j

    def event_json(self, msg, api):
        if vtuple(api) < (1, 52) and msg["Type"] == "container":
            # the pre-1.22 fields, still sent until 1.52
            legacy = {"status": msg["Action"], "id": msg["Actor"]["ID"],
                      "from": msg["Actor"]["Attributes"].get("image", "")}
            legacy.update(msg)
            return legacy
        return msg

    # ---- container life ----
    def add_container(self, spec):
        with self.lock:
            img = self.image_by_ref(spec.get("image", "bb:latest"))
            c = {"id": new_id(spec["name"]), "name": spec["name"],
                 "image": spec.get("image", "bb:latest"),
                 "image_id": img["id"] if img else "sha256:" + new_id("img"),
                 "labels": spec.get("labels", {}), "memory": int(spec.get("memory", 0)),
                 "memory_swap": int(spec.get("memory_swap", 0)), "pid": int(spec.get("pid", 0)),
                 "running": False, "created": time.time(), "started": 0}
            self.containers[c["id"]] = c
            self.container_event(c, "create")
            if spec.get("running", True):
                c["running"], c["started"] = True, time.time()
                self.container_event(c, "start")
            return c["id"]

    def die(self, c, signal=None):
        """Lock held."""
        if not c["running"]:
            return
        if signal:
            self.container_event(c, "kill", {"signal": signal})
        c["running"] = False
        self.container_event(c, "die", {"exitCode": "137"})

    def reaper(self):
        """A container whose process is gone has died (cgroup.kill, OOM)."""
        while True:
            time.sleep(0.1)
            with self.lock:
                for c in list(self.containers.values()):
                    if c["running"] and c["pid"] > 0 and not os.path.exists("/proc/%d" % c["pid"]):
                        self.die(c)

    def flood(self, rate, seconds):
        ids = [new_id("flood%d" % k) for k in range(2000)]
        with self.lock:
            self.flood_ids.update(ids)
        end = time.monotonic() + seconds
        k = 0
        while time.monotonic() < end:
            with self.lock:
                for _ in range(max(1, rate // 100)):
                    i = ids[k % len(ids)]
                    self.emit("container", "start" if k % 2 == 0 else "die", i,
                              {"image": "bb:latest", "name": "flood-%d" % (k % len(ids))})
                    k += 1
            time.sleep(0.01)


ENGINE = None
# A real dockerd 20.10's HostConfig (captured into the unit-test fixtures):
# every key it answers, defaults as Docker sets them.
HOSTCONFIG_2010 = json.load(open(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "docker",
    "inspect-running.json")))["HostConfig"]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Docker"
    sys_version = ""

    def log_message(self, fmt, *args):  # the request log is ours
        pass

    def address_string(self):
        return "unix"

    # ---- plumbing ----
    def headers_common(self):
        e = ENGINE
        self.send_header("Api-Version", e.api)
        self.send_header("Docker-Experimental", "false")
        self.send_header("Ostype", "linux")
        self.send_header("Server", "Docker/%s (linux)" % e.version)

    def reply(self, status, body, ctype="application/json"):
        # as Go's json.Encoder writes it: compact, one newline
        data = body if isinstance(body, bytes) else \
            (json.dumps(body, separators=(",", ":")) + "\n").encode()
        self.send_response(status)
        self.headers_common()
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def error(self, status, message):
        self.reply(status, {"message": message})

    def no_content(self, status=204):
        self.send_response(status)
        self.headers_common()
        self.end_headers()

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n).decode(errors="replace") if n else ""

    def do_GET(self):
        self.route()

    def do_HEAD(self):
        self.route()

    def do_POST(self):
        self.route()

    def do_DELETE(self):
        self.route()

    # ---- routing ----
    def route(self):
        e = ENGINE
        body = self.read_body()
        url = urllib.parse.urlsplit(self.path)
        path, query = url.path, urllib.parse.parse_qs(url.query)
        if path.startswith("/_fake/"):
            return self.control(path, body)
        e.log(self.command, self.path, body)
        api = e.api
        m = re.match(r"^/v(\d+\.\d+)(/.*)$", path)
        if m:
            api, path = m.group(1), m.group(2)
            # the version middleware, word for word
            if vtuple(api) < vtuple(e.min_api):
                return self.error(400, "client version %s is too old. Minimum supported API "
                                  "version is %s, please upgrade your client to a newer "
                                  "version" % (api, e.min_api))
            if vtuple(api) > vtuple(e.api):
                return self.error(400, "client version %s is too new. Maximum supported API "
                                  "version is %s" % (api, e.api))
        if path == "/_ping":
            self.send_response(200)
            self.headers_common()
            self.send_header("Builder-Version", "2" if vtuple(e.api) >= (1, 44) else "1")
            self.send_header("Cache-Control", "no-cache, no-store, must-revalidate")
            self.send_header("Pragma", "no-cache")
            self.send_header("Swarm", "inactive")
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", "2")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(b"OK")
            return None
        if path == "/version" and self.command == "GET":
            return self.reply(200, e.version_json())
        if path == "/events" and self.command == "GET":
            return self.events(api, query)
        if path == "/containers/json" and self.command == "GET":
            with e.lock:
                allc = query.get("all", ["0"])[0] in ("1", "true")
                items = [e.list_json(c, api) for c in e.containers.values()
                         if allc or c["running"]]
            return self.reply(200, items)
        if path == "/containers/prune" and self.command == "POST":
            return self.prune_containers(query)
        if path == "/images/json" and self.command == "GET":
            with e.lock:
                return self.reply(200, [e.image_json(i, api) for i in e.images.values()])
        if path == "/images/prune" and self.command == "POST":
            return self.prune_images(query)
        if path == "/build/prune" and self.command == "POST":
            return self.reply(200, {"CachesDeleted": None, "SpaceReclaimed": 0})
        m = re.match(r"^/containers/([^/]+)/(json|update|stop|kill)$", path)
        if m:
            return self.container(m.group(1), m.group(2), body, query)
        m = re.match(r"^/containers/([^/?]+)$", path)
        if m and self.command == "DELETE":
            return self.container_delete(m.group(1), query)
        m = re.match(r"^/images/(.+)$", path)
        if m and self.command == "DELETE":
            return self.image_delete(urllib.parse.unquote(m.group(1)))
        return self.error(404, "page not found")

    def container(self, ref, op, body, query):
        e = ENGINE
        if op == "json" and e.flood_mode and ref in e.flood_ids:
            # an Engine that never answers these: hold the connection
            time.sleep(3600)
            return None
        with e.lock:
            c = e.find(ref)
            if not c:
                return self.error(404, "No such container: %s" % ref)
            api = e.api
            m = re.match(r"^/v(\d+\.\d+)/", self.path)
            if m:
                api = m.group(1)
            if op == "json" and self.command == "GET":
                return self.reply(200, e.inspect_json(c, api))
            if op == "update" and self.command == "POST":
                try:
                    req = json.loads(body or "{}")
                except ValueError:
                    return self.error(400, "invalid JSON")
                mem = int(req.get("Memory", 0) or 0)
                swap = int(req.get("MemorySwap", 0) or 0)
                if mem and mem < 6 * 1024 * 1024:
                    return self.error(400, "Minimum memory limit allowed is 6MB")
                new_mem = mem or c["memory"]
                if swap and swap != -1 and swap < new_mem:
                    return self.error(400, "Minimum memoryswap limit should be larger than "
                                      "memory limit, see usage")
                c["memory"] = new_mem
                if swap:
                    c["memory_swap"] = swap
                e.container_event(c, "update")
                return self.reply(200, {"Warnings": None if vtuple(api) < (1, 44) else []})
            if op == "stop" and self.command == "POST":
                if not c["running"]:
                    return self.no_content(304)
                pid = c["pid"]
                e.die(c, "15")
                e.container_event(c, "stop")
            elif op == "kill" and self.command == "POST":
                if not c["running"]:
                    return self.error(409, "Cannot kill container: %s: Container %s is not "
                                      "running" % (ref, c["id"]))
                pid = c["pid"]
                sig = query.get("signal", ["SIGKILL"])[0]
                e.die(c, "9" if sig in ("SIGKILL", "KILL", "9") else "15")
            else:
                return self.error(404, "page not found")
        if pid > 0:
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        return self.no_content()

    def container_delete(self, ref, query):
        # as dockerd: a running container needs force (never sent by the governor)
        e = ENGINE
        with e.lock:
            c = e.find(ref)
            if not c:
                return self.error(404, "No such container: %s" % ref)
            if c["running"] and query.get("force", ["0"])[0] not in ("1", "true"):
                # daemon/delete.go: reworded in 25
                if vtuple(e.api) < (1, 44):
                    return self.error(409, "You cannot remove a running container %s. Stop the "
                                      "container before attempting removal or force remove" %
                                      c["id"])
                return self.error(409, "cannot remove container \"/%s\": container is running: "
                                  "stop the container before removing or force remove" % c["name"])
            del e.containers[c["id"]]
            e.container_event(c, "destroy")
        return self.no_content()

    def prune_containers(self, query):
        e = ENGINE
        until = 0.0
        try:
            f = json.loads(query.get("filters", ["{}"])[0])
            u = f.get("until", [])
            if isinstance(u, dict):
                u = list(u)
            if u and u[0].endswith("s"):
                until = time.time() - float(u[0][:-1])
        except (ValueError, AttributeError):
            return self.error(400, "invalid filter")
        with e.lock:
            gone = [c for c in e.containers.values()
                    if not c["running"] and (not until or c["created"] < until)]
            for c in gone:
                del e.containers[c["id"]]
                e.container_event(c, "destroy")
            e.emit("container", "prune", "", {"reclaimed": "0"})
        return self.reply(200, {"ContainersDeleted": [c["id"] for c in gone] or None,
                                "SpaceReclaimed": 0})

    def image_used(self, i):
        return [c for c in ENGINE.containers.values() if c["image_id"] == i["id"]]

    def prune_images(self, query):
        e = ENGINE
        try:
            f = json.loads(query.get("filters", ["{}"])[0])
        except ValueError:
            return self.error(400, "invalid filter")
        dangling = f.get("dangling", ["true"])
        dangling = list(dangling) if isinstance(dangling, dict) else dangling
        with e.lock:
            gone = [i for i in e.images.values()
                    if not self.image_used(i) and (not i["tags"] or dangling != ["true"])]
            for i in gone:
                del e.images[i["id"]]
                e.emit("image", "delete", i["id"], {"name": i["id"]})
            e.emit("image", "prune", "", {"reclaimed": str(sum(i["size"] for i in gone))})
        return self.reply(200, {"ImagesDeleted": [{"Deleted": i["id"]} for i in gone] or None,
                                "SpaceReclaimed": sum(i["size"] for i in gone)})

    def image_delete(self, ref):
        e = ENGINE
        with e.lock:
            i = e.image_by_ref(ref)
            if not i:
                return self.error(404, "No such image: %s" % ref)
            users = self.image_used(i)
            if users:
                c = users[0]
                how = "cannot be forced) - image is being used by running" if c["running"] \
                    else "must be forced) - image is being used by stopped"
                return self.error(409, "conflict: unable to delete %s (%s container %s" %
                                  (i["id"][7:19], how, c["id"][:12]))
            del e.images[i["id"]]
            out = [{"Untagged": t} for t in i["tags"]] + [{"Deleted": i["id"]}]
            for t in i["tags"]:
                e.emit("image", "untag", i["id"], {"name": t})
            e.emit("image", "delete", i["id"], {"name": i["id"]})
        return self.reply(200, out)

    def events(self, api, query):
        e = ENGINE
        since = float(query.get("since", ["0"])[0] or 0) if query.get("since") else None
        until = float(query.get("until", ["0"])[0]) if query.get("until") else None
        try:
            filters = json.loads(query.get("filters", ["{}"])[0])
        except ValueError:
            return self.error(400, "invalid filter")
        types = filters.get("type", [])
        types = list(types) if isinstance(types, dict) else types
        ctype = "application/json"
        if vtuple(api) >= (1, 52):
            accept = self.headers.get("Accept")
            if accept:  # content negotiation (1.52): the first offer matches */*
                if "application/json-seq" in accept and "x-ndjson" not in accept:
                    ctype = "application/json-seq"
                elif "application/x-ndjson" in accept or "*/*" in accept:
                    ctype = "application/x-ndjson"
        self.send_response(200)
        self.headers_common()
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        since_ns = int(since * 1e9) if since is not None else time.time_ns()
        until_ns = int(until * 1e9) if until is not None else None
        pos = 0
        with e.lock:
            while pos < len(e.events) and e.events[pos][0] < since_ns:
                pos += 1
        try:
            while True:
                with e.lock:
                    if pos > len(e.events):  # trimmed
                        pos = len(e.events)
                    while pos >= len(e.events):
                        if until_ns is not None and time.time_ns() >= until_ns:
                            break
                        e.lock.wait(0.5)
                    batch = e.events[pos:]
                    pos += len(batch)
                out = []
                for t, msg in batch:
                    if until_ns is not None and t > until_ns:
                        break
                    if types and msg["Type"] not in types:
                        continue
                    line = json.dumps(e.event_json(msg, api), separators=(",", ":")).encode()
                    out.append((b"\x1e" if ctype == "application/json-seq" else b"") + line +
                               b"\n")
                if out:
                    self.wfile.write(chunk(b"".join(out)))
                    self.wfile.flush()
                if until_ns is not None and time.time_ns() >= until_ns:
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                    return None
        except OSError:
            self.close_connection = True
        return None

    def control(self, path, body):
        e = ENGINE
        spec = json.loads(body) if body else {}
        if path == "/_fake/containers" and self.command == "POST":
            return self.reply(201, {"Id": e.add_container(spec)})
        m = re.match(r"^/_fake/containers/([^/]+)/set$", path)
        if m and self.command == "POST":
            with e.lock:
                c = e.find(m.group(1))
                if not c:
                    return self.error(404, "no such container")
                c["memory"] = int(spec.get("memory", c["memory"]))
                c["memory_swap"] = int(spec.get("memory_swap", c["memory_swap"]))
                e.container_event(c, "update")
            return self.no_content()
        if path == "/_fake/images" and self.command == "POST":
            with e.lock:
                iid = "sha256:" + (spec.get("id") or new_id(spec.get("tags")))
                e.images[iid] = {"id": iid, "tags": spec.get("tags", []),
                                 "size": int(spec.get("size", 1000000)),
                                 "created": float(spec.get("created", time.time()))}
            return self.reply(201, {"Id": iid})
        if path == "/_fake/flood" and self.command == "POST":
            threading.Thread(target=e.flood, args=(int(spec.get("rate", 10000)),
                             float(spec.get("seconds", 5))), daemon=True).start()
            return self.no_content()
        if path == "/_fake/state":
            with e.lock:
                return self.reply(200, {"containers": list(e.containers.values()),
                                        "images": list(e.images.values()),
                                        "events": e.n_events})
        return self.error(404, "no such control")


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    request_queue_size = 128


def main():
    global ENGINE
    sock_path, profile, log_path = sys.argv[1], sys.argv[2], sys.argv[3]
    ENGINE = Engine(profile, log_path, "--flood" in sys.argv[4:])
    open(log_path, "a").close()
    try:
        os.unlink(sock_path)
    except FileNotFoundError:
        pass
    threading.Thread(target=ENGINE.reaper, daemon=True).start()
    srv = Server(sock_path, Handler)
    srv.serve_forever()


if __name__ == "__main__":
    main()
