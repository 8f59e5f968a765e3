"""The bare stack: the least Plandag's phone protocol needs on Flask-SocketIO + gevent.

    .venv/bin/python bench/bare_server.py PORT DB_PATH

The benchmarks run it beside Plandag in the same run and report Plandag as a ratio to it.
Where it differs from ../shared/bench/baseline_server.py, the reference it was checked
against, and why:

- A phone *joins* the way a Plandag phone does, with the same requests: `GET /j/<code>`
  sets the device cookie (a tiny page), `POST /j/<code>/join` commits a participant row,
  and the socket connect carries that cookie, is looked up in that table and gets a
  small `snapshot`. The baseline has no HTTP and no auth (a `join` event), which would
  understate the join cost Plandag's is compared with.
- Who answers comes from the cookie (as in Plandag), not from a `who` in the payload.
- An answer carries a `client_id`; one row per client_id (`insert or ignore`), so a retry
  counts once and is acked `duplicate`: the least "a retry counts once" costs. The
  checks on `client_id`, `answer` and `text` are minimal.
- Always persisted (the baseline's `--persist` is optional), with Plandag's pragmas (WAL,
  synchronous=NORMAL), committed before the ack.
- The tally also has `intents` (answers stored) and `online` (phones connected), so a
  benchmark sees when the beamer is exact and when it shows everyone after a join storm.
- Same 200 ms coalescing flusher to the `beamer` room.
"""

from gevent import monkey

monkey.patch_all()

import secrets  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402

from flask import Flask, make_response, request  # noqa: E402
from flask_socketio import SocketIO, emit, join_room  # noqa: E402

KINDS = {"consent", "concern", "objection"}
app = Flask(__name__)
sio = SocketIO(app, async_mode="gevent", manage_session=False)
db = sqlite3.connect(sys.argv[2], check_same_thread=False)
db.execute("pragma journal_mode=wal")
db.execute("pragma synchronous=normal")
db.execute("create table if not exists phones (token text primary key, name text, grp text)")
db.execute("create table if not exists answers (client_id text primary key, who, answer, text)")
latest: dict[str, str] = {}  # device token -> its last answer
sockets: dict[str, str] = {}  # sid -> device token
state = {"intents": 0, "dirty": False}


def tally() -> dict:
    counts = dict.fromkeys(sorted(KINDS), 0)
    for kind in latest.values():
        counts[kind] += 1
    online = len(set(sockets.values()))
    return {
        "answered": len(latest),
        "intents": state["intents"],
        "counts": counts,
        "online": online,
    }


@app.get("/healthz")
def healthz():
    return {"ok": True}


@app.get("/j/<code>")
def page(code):
    response = make_response("<!doctype html><title>Join</title><p>Phone page</p>")
    if not request.cookies.get("plandag_device"):
        token = secrets.token_urlsafe(24)
        response.set_cookie("plandag_device", token, max_age=10368000, httponly=True)
    return response


@app.post("/j/<code>/join")
def join(code):
    token, body = request.cookies.get("plandag_device"), request.get_json(silent=True)
    name = str(body.get("name", "")).strip()[:60] if isinstance(body, dict) else ""
    if not token or not name:
        return {"ok": False, "error": {"code": "payload.invalid"}}, 400
    db.execute("insert or replace into phones values (?, ?, ?)", (token, name, body.get("group")))
    db.commit()
    return {"ok": True, "you": {"name": name, "group": body.get("group")}}


@sio.on("connect")
def connect(auth):
    if isinstance(auth, dict) and auth.get("audience") == "beamer":
        join_room("beamer")
        return emit("tally", tally())
    token = request.cookies.get("plandag_device", "")
    row = db.execute("select name, grp from phones where token = ?", (token,)).fetchone()
    if row is None:
        return False
    sockets[request.sid], state["dirty"] = token, True
    join_room("phones")
    you = {"name": row[0], "group": row[1], "answer": latest.get(token)}
    emit("snapshot", {"tally": tally(), "you": you})


@sio.on("disconnect")
def disconnect(*_reason):
    if sockets.pop(request.sid, None) is not None:
        state["dirty"] = True


@sio.on("answer")
def answer(data):
    who, data = sockets.get(request.sid), data if isinstance(data, dict) else {}
    cid, kind, text = data.get("client_id"), data.get("answer"), data.get("text") or ""
    if who is None or not isinstance(cid, str) or not 6 <= len(cid) <= 64 or kind not in KINDS:
        return {"ok": False, "error": {"code": "payload.invalid"}}
    if not isinstance(text, str) or len(text) > 2000:
        return {"ok": False, "error": {"code": "payload.invalid"}}
    new = db.execute("insert or ignore into answers values (?, ?, ?, ?)", (cid, who, kind, text))
    db.commit()  # persisted before acknowledged
    if new.rowcount:
        latest[who], state["intents"], state["dirty"] = kind, state["intents"] + 1, True
    return {"ok": True, "duplicate": not new.rowcount}


def flusher():
    while True:
        sio.sleep(0.2)
        if state["dirty"]:
            state["dirty"] = False
            sio.emit("tally", tally(), to="beamer")


if __name__ == "__main__":
    sio.start_background_task(flusher)
    # SERVER_NAME as Plandag sets it: gevent would otherwise look this host up in DNS.
    environ = {"SERVER_NAME": "127.0.0.1"}
    sio.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_output=False, environ=environ)
