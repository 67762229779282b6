#!/usr/bin/env python3
"""Counts the instructions agentd spends per durable reservation ack and per confirm, under
valgrind's callgrind (instruction counts repeat run to run, whatever else loads the machine;
wall-clock timings on a shared machine do not).

    bench/callgrind_acks.py [--bin build/bin] [--acks 160] [--connections 8] [--out DIR]

Starts `agentd-sim --size small`, then agentd under `valgrind --tool=callgrind
--instr-atstart=no`, waits for the initial mirror, and collects three phases:
  acks       N best-available POSTs over C keep-alive connections, upstream answers delayed 3 s
             so the placements the acks start stay parked on the network;
  placements the delay lifted, every acked reservation driven to a definite state (followed
             by a long-poll each);
  confirms   the held ones confirmed, each followed to `confirmed` by a long-poll.
Each phase is dumped to its own file (callgrind.out.acks, .placements, .confirms) in --out;
read them with
`callgrind_annotate --inclusive=yes FILE`. Prints the instruction totals per ack, placement and
confirm. Background work that runs meanwhile (sync polls, expiry and rescan passes) is counted
too, and under callgrind it runs ~50x longer than natively: compare functions, not only totals.
Not part of scripts/bench: callgrind slows agentd ~50x.
"""
import argparse, http.client, json, os, shutil, socket, subprocess, sys, tempfile, threading, time


class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("agentd", timeout=120)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(120)
        self.sock.connect(self.path)


def req(conn, method, path, body=None, headers=None):
    h = {"Content-Type": "application/json"} if body is not None else {}
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    return r.status, r.read().decode()


def wait_until(pred, seconds, what):
    end = time.time() + seconds
    while time.time() < end:
        try:
            if pred():
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit("timed out waiting for " + what)


def sim_put(base, what, body):
    host, port = base.split("//")[1].split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    c.request("PUT", "/_sim/" + what, body=body, headers={"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit("agentd-sim /_sim/%s answered %d" % (what, r.status))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/bin")
    ap.add_argument("--acks", type=int, default=160)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--out", default=".")
    a = ap.parse_args()
    bindir = os.path.abspath(a.bin)
    out = os.path.abspath(a.out)
    tmp = tempfile.mkdtemp(prefix="agentd-cg-")
    procs = []
    try:
        sim = subprocess.Popen([bindir + "/agentd-sim", "--size", "small", "--rate", "0", "--listen", "127.0.0.1:0"],
                               stdout=subprocess.PIPE, stderr=open(tmp + "/sim.log", "w"), text=True)
        procs.append(sim)
        ready = json.loads(sim.stdout.readline())
        base = ready["base_url"]
        client = ready["clients"][0]
        sock = tmp + "/agentd.sock"
        cfg = ('[daemon]\nsocket_path = "%s"\ndatabase = "%s/agentd.db"\nlog_level = "warn"\ndrain_timeout = "5s"\n\n'
               '[sync]\ncatalogue_days_ahead = 400\n\n'
               '[reservations]\nqueue_limit = 10000000\nchannel_backlog_limit = 10000000\n\n'
               '[api]\nrequests_per_second = 1000000\nburst = 1000000\nmax_connections = 4096\n'
               'max_connections_per_uid = 4096\n\n' % (sock, tmp))
        cfg += ('[[client]]\nname = "%s"\nbase_url = "%s"\nallow_insecure_http = true\nrequests_per_minute = 100000\n\n'
                % (client["name"], base))
        for i, acc in enumerate(client["accounts"]):
            with open("%s/secret-%d" % (tmp, i), "w") as f:
                f.write(acc["secret"] + "\n")
            os.chmod("%s/secret-%d" % (tmp, i), 0o600)
            cfg += ('[[client.account]]\nname = "agent%d"\nlogin = "%s"\nsecret_file = "%s/secret-%d"\n\n'
                    % (i + 1, acc["login"], tmp, i))
        cfg += ('[[channel]]\nname = "bench"\nuid = %d\nrole = "admin"\nupstream_per_minute = 1000000\n'
                'upstream_burst = 1000000\nupstream_concurrency = 100000\n' % os.getuid())
        with open(tmp + "/agentd.toml", "w") as f:
            f.write(cfg)
        os.chmod(tmp + "/agentd.toml", 0o600)
        cgout = tmp + "/callgrind.out"
        daemon = subprocess.Popen(["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=" + cgout,
                                   bindir + "/agentd", "--config", tmp + "/agentd.toml"],
                                  stdout=subprocess.DEVNULL, stderr=open(tmp + "/agentd.log", "w"))
        procs.append(daemon)

        def health():
            c = UnixHTTP(sock)
            s, b = req(c, "GET", "/v1/health")
            return s == 200 and json.loads(b)["sync"]["initialComplete"]
        wait_until(health, 600, "the initial mirror")
        c = UnixHTTP(sock)
        s, b = req(c, "GET", "/v1/clients/%s/instances" % client["name"])
        instances = json.loads(b)["instances"]
        inst = None
        for i in instances:
            if not i.get("onSale") or i.get("cancelled") or i.get("available", 0) < a.acks + 4 * a.connections:
                continue
            s, d = req(c, "GET", "/v1/clients/%s/instances/%s" % (client["name"], i["id"]))
            d = json.loads(d)
            if s == 200 and d.get("prices"):
                inst, ttype = i["id"], d["prices"][0]["ticketType"]
                break
        if inst is None:
            sys.exit("no instance with enough seats: " + json.dumps(instances[:3]))
        body = json.dumps({"client": client["name"], "instance": inst,
                           "bestAvailable": {"quantity": 1, "ticketType": ttype}})
        ctl = lambda *args: subprocess.run(["callgrind_control", *args, str(daemon.pid)], check=True,
                                           stdout=subprocess.DEVNULL)

        def post_acks(tag, n):
            ids, lock = [], threading.Lock()
            per = n // a.connections

            def run(k):
                conn = UnixHTTP(sock)
                mine = []
                for j in range(per):
                    s, b = req(conn, "POST", "/v1/reservations", body, {"Idempotency-Key": "%s-%d-%d" % (tag, k, j)})
                    if s != 202:
                        sys.exit("ack answered %d: %s" % (s, b))
                    mine.append(json.loads(b)["id"])
                with lock:
                    ids.extend(mine)
            th = [threading.Thread(target=run, args=(k,)) for k in range(a.connections)]
            for t in th:
                t.start()
            for t in th:
                t.join()
            return ids

        # Acks: upstream held back so the placements they start wait on the network.
        sim_put(base, "faults", json.dumps({"latency_ms": 3000}))
        post_acks("warm", a.connections * 4)
        ctl("-i", "on")
        acked = post_acks("ack", a.acks)
        ctl("-i", "off")
        ctl("-d", "acks")
        # Placements: the acked reservations driven to held once upstream answers at once.
        ctl("-i", "on")
        sim_put(base, "faults", json.dumps({"clear": True}))

        # Confirms: of the acked reservations that reach held.
        held = []
        for rid in acked:
            conn = UnixHTTP(sock)
            v = 0
            for _ in range(20):
                s, b = req(conn, "GET", "/v1/reservations/%s?wait=20&version=%d" % (rid, v))
                r = json.loads(b)
                v = r["version"]
                if r["state"] not in ("queued", "placing"):
                    break
            if r["state"] == "held":
                held.append((rid, v))
        ctl("-i", "off")
        ctl("-d", "placements")
        confirm = json.dumps({"customer": {"firstName": "Ada", "lastName": "Lovelace", "addressLine1": "1 Main St"},
                              "reference": "CG-1"})
        ctl("-i", "on")
        conn = UnixHTTP(sock)
        confirmed = 0
        for rid, v in held:
            s, b = req(conn, "POST", "/v1/reservations/%s/confirm" % rid, confirm)
            if s != 202:
                continue
            v = json.loads(b)["version"]
            for _ in range(20):
                s, b = req(conn, "GET", "/v1/reservations/%s?wait=20&version=%d" % (rid, v))
                r = json.loads(b)
                v = r["version"]
                if r["state"] != "confirming":
                    break
            confirmed += r["state"] == "confirmed"
        ctl("-i", "off")
        ctl("-d", "confirms")
        daemon.terminate()
        daemon.wait(120)
        os.makedirs(out, exist_ok=True)
        totals = {}
        for f in os.listdir(tmp):
            if not f.startswith("callgrind.out"):
                continue
            with open(os.path.join(tmp, f)) as fh:
                text = fh.read()
            phase = None
            for line in text.splitlines():
                if line.startswith("desc: Trigger:"):
                    phase = next((p for p in ("acks", "placements", "confirms") if p in line), None)
                if line.startswith(("summary:", "totals:")) and phase and int(line.split()[1]) > 0:
                    totals[phase] = int(line.split()[1])
            if phase:
                shutil.copy(os.path.join(tmp, f), os.path.join(out, "callgrind.out." + phase))
        print("acks: %d, instructions per ack: %d" % (len(acked), totals.get("acks", 0) // max(1, len(acked))))
        print("placements: %d held, instructions per placement: %d" %
              (len(held), totals.get("placements", 0) // max(1, len(acked))))
        print("confirms: %d of %d held, instructions per confirm: %d" %
              (confirmed, len(held), totals.get("confirms", 0) // max(1, confirmed)))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if not os.environ.get("AGENTD_KEEP_TEMP"):
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
