/* Plandag live client, shared by console, beamer and phone.
 *
 * Keeps a map of view keys -> values that mirrors the server. A snapshot replaces it;
 * an update {since, version, views} replaces the keys it names. An update older than
 * what we have is ignored; one that starts after our version means we missed one, so
 * we ask for a fresh snapshot. Writes carry a client-made id and are retried with the
 * same id, so a retry after a lost ack counts once.
 *
 * User text is only ever put into the page with textContent (see el()).
 */
(function () {
  "use strict";

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : {};
  }

  var STRINGS = readJSON("strings");
  var BOOT = readJSON("boot");

  /* Numbers as the page's language writes them (1.000 in Dutch, 1,000 in English), in
     the Latin digits the server's pages use too. */
  var NUMBERS = null;
  function number(n) {
    if (!NUMBERS) {
      try { NUMBERS = new Intl.NumberFormat(BOOT.lang || document.documentElement.lang || "nl", { numberingSystem: "latn" }); }
      catch (e) { NUMBERS = { format: String }; }
    }
    return NUMBERS.format(n);
  }
  function fmt(template, params) {
    return String(template).replace(/\{(\w+)\}/g, function (m, k) {
      if (!params || params[k] === undefined) return m;
      return typeof params[k] === "number" ? number(params[k]) : params[k];
    });
  }

  function t(group, key, params) {
    var table = STRINGS[group] || {};
    var value = table[key] !== undefined ? table[key] : key;
    if (value && typeof value === "object") {
      var form = value[pluralForm(params && params.n)];
      value = form !== undefined ? form : value.other;
    }
    return fmt(value, params);
  }

  /* The plural category of n in the page's language (CLDR names: zero, one, two, few,
     many, other); the server sends a form for each category the language has. */
  var PLURALS = null;
  function pluralForm(n) {
    var lang = BOOT.lang || document.documentElement.lang || "nl";
    if (!PLURALS) {
      try { PLURALS = new Intl.PluralRules(lang); } catch (e) { PLURALS = { select: function (k) { return k === 1 ? "one" : "other"; } }; }
    }
    return PLURALS.select(Number(n));
  }

  /* A text with a count: t() with {n} choosing the plural form. */
  function tn(group, key, n, params) {
    return t(group, key, Object.assign({ n: n }, params || {}));
  }

  /* The values of every view key with this prefix ("proposal:", "card:", ...). */
  function items(views, prefix) {
    var out = [];
    Object.keys(views).forEach(function (key) {
      if (key.indexOf(prefix) === 0 && views[key]) out.push(views[key]);
    });
    return out;
  }

  function byId(id) { return document.getElementById(id); }

  /* Create an element; children are nodes or strings (set as text, never parsed). */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "text") node.textContent = v;
        else if (k === "className") node.className = v;
        else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
        else node.setAttribute(k, v === true ? "" : v);
      });
    }
    function add(child) {
      if (child === null || child === undefined || child === false) return;
      if (Array.isArray(child)) { child.forEach(add); return; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    for (var i = 2; i < arguments.length; i++) add(arguments[i]);
    return node;
  }

  function setText(id, text) {
    var node = typeof id === "string" ? document.getElementById(id) : id;
    if (node && node.textContent !== String(text)) node.textContent = text;
  }

  function clientId() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function errorMessage(error) {
    if (!error) return "";
    return error.message || t("errors", error.code);
  }

  function Live(options) {
    this.options = options;
    this.views = {};
    this.you = null;
    this.version = -1;
    this.ready = false;
    this.pending = [];
    this.offset = 0; // server clock minus ours, in ms
    this.socket = null;
    this.stats = { snapshots: 0, updates: 0, resyncs: 0 };
    // Writes made on this device wait here (in localStorage with `outbox`, so also
    // across a reload) until the server acknowledged them; each keeps its client id,
    // so however often it is sent, it counts once.
    this.outboxKey = options.outbox ? "plandag:outbox:" + options.outbox : null;
    this.outbox = this.outboxKey ? storage.json(this.outboxKey, []) : [];
    this.refusalsKey = options.outbox ? "plandag:refused:" + options.outbox : null;
    this.refusals = this.refusalsKey ? storage.json(this.refusalsKey, {}) : {};
    this.waiters = {};
    this.inflight = null;
    // The last state this device saw, shown (with its age) until the server answers.
    this.rememberKey = options.remember ? "plandag:state:" + options.remember : null;
    this.staleSince = null;
    if (this.rememberKey) {
      var saved = storage.json(this.rememberKey, null);
      if (saved && saved.views) {
        this.views = saved.views;
        this.you = saved.you || null;
        this.staleSince = saved.at;
      }
    }
  }

  Live.prototype.connect = function () {
    var self = this;
    var auth = Object.assign({ lang: BOOT.lang }, this.options.auth);
    var socket = io({ auth: auth, reconnectionDelayMax: 4000, timeout: 8000 });
    this.socket = socket;
    socket.on("connect", function () { self.status("online"); self.pump(); });
    socket.on("disconnect", function (reason) {
      self.ready = false;
      self.status("offline");
      if (reason === "io server disconnect" && !self.stopped) {
        // The server closed us (removed, renewed link): do not reconnect blindly.
        if (self.options.onClosed) self.options.onClosed(reason);
      }
    });
    socket.on("connect_error", function (err) {
      self.status("offline");
      var data = err && err.data;
      if (data && data.code && self.options.onRefused) {
        self.options.onRefused(data);
      }
    });
    socket.on("snapshot", function (snap) { self.applySnapshot(snap); });
    socket.on("update", function (update) { self.applyUpdate(update); });
    socket.on("you", function (you) {
      // A partial `you` brings only the parts that changed (an answer: the answer).
      self.you = you.partial ? Object.assign({}, self.you || {}, you) : you;
      self.remember();
      self.render();
    });
    socket.on("revoked", function (msg) {
      self.stopped = true;
      socket.disconnect();
      if (self.options.onRevoked) self.options.onRevoked(msg);
    });
    this.status("connecting");
    return this;
  };

  Live.prototype.status = function (state) {
    if (this.options.onStatus) this.options.onStatus(state);
  };

  Live.prototype.applySnapshot = function (snap) {
    this.views = snap.views || {};
    if (snap.you) this.you = snap.you;
    this.version = snap.version;
    this.offset = Date.parse(snap.server_time) - Date.now();
    this.ready = true;
    this.staleSince = null;
    this.stats.snapshots++;
    this.remember();
    var queued = this.pending;
    this.pending = [];
    for (var i = 0; i < queued.length; i++) {
      // Updates that arrived while we waited and are not newer than the snapshot are
      // already in it.
      if (queued[i].version > this.version) this.applyUpdate(queued[i], true);
    }
    this.render();
  };

  Live.prototype.applyUpdate = function (update, quiet) {
    if (!this.ready) { this.pending.push(update); return; }
    if (update.version < this.version) return;  // older than what we have
    if (update.since > this.version) { this.resync(); return; }  // we missed one
    var views = update.views || {};
    for (var key in views) {
      if (!Object.prototype.hasOwnProperty.call(views, key)) continue;
      if (views[key] === null) delete this.views[key];
      else this.views[key] = views[key];
    }
    this.version = update.version;
    this.stats.updates++;
    this.remember();
    if (!quiet) this.render();
  };

  /* Keep the state on the device (at most every 2 s), for a reload without network. */
  Live.prototype.remember = function () {
    var self = this;
    if (!this.rememberKey || this.rememberTimer) return;
    this.rememberTimer = setTimeout(function () {
      self.rememberTimer = null;
      storage.set(self.rememberKey, JSON.stringify({ views: self.views, you: self.you, at: Date.now() }));
    }, 2000);
  };

  Live.prototype.resync = function () {
    var self = this;
    if (this.resyncing) return;
    this.resyncing = true;
    this.ready = false;
    this.stats.resyncs++;
    this.socket.timeout(8000).emit("state.snapshot", {}, function (err, ack) {
      self.resyncing = false;
      if (!err && ack && ack.ok) self.applySnapshot(ack.snapshot);
      else setTimeout(function () { self.resync(); }, 1000);
    });
  };

  Live.prototype.render = function () {
    if (this.options.render) this.options.render(this);
  };

  Live.prototype.now = function () { return Date.now() + this.offset; };

  /* Send an intent. Resolves with the ack ({ok, ...} or {ok:false, error}).
   * With an outbox (phones), the write is kept on the device and sent, once
   * connected, until the server answers, however long the outage: the promise
   * resolves only with the server's answer, and `waiting()` tells the screen what is
   * still to be sent. Without one, it is retried with the same client id a few times
   * and then resolves with a network error. */
  Live.prototype.send = function (event, payload) {
    var self = this;
    var body = Object.assign({ client_id: clientId() }, payload || {});
    if (this.outboxKey) {
      return new Promise(function (resolve) {
        self.outbox.push({ event: event, body: body, at: Date.now() });
        self.waiters[body.client_id] = resolve;
        self.saveOutbox();
        self.render();
        self.pump();
      });
    }
    return new Promise(function (resolve) {
      var attempts = 0;
      function attempt() {
        attempts++;
        self.socket.timeout(6000).emit(event, body, function (err, ack) {
          if (!err) { resolve(ack); return; }
          if (attempts < 5) setTimeout(attempt, 500 * attempts);
          else resolve({ ok: false, error: { code: "network", message: t("ui", "offline") } });
        });
      }
      attempt();
    });
  };

  Live.prototype.saveOutbox = function () {
    if (!this.outboxKey) return;
    if (this.outbox.length) storage.set(this.outboxKey, JSON.stringify(this.outbox));
    else storage.remove(this.outboxKey);
  };

  /* Send the oldest waiting write, one at a time, in order. */
  Live.prototype.pump = function () {
    var self = this;
    if (this.inflight || !this.socket || !this.socket.connected || !this.outbox.length) return;
    var entry = this.outbox[0];
    this.inflight = entry;
    this.socket.timeout(10000).emit(entry.event, entry.body, function (err, ack) {
      self.inflight = null;
      var transient = ack && ack.ok === false && ack.error && TRANSIENT[ack.error.code];
      if (err || transient) {
        // No answer in time, or the server was busy: the same write again, a little
        // later each time (the client id makes it count once).
        self.retries = Math.min((self.retries || 0) + 1, 6);
        setTimeout(function () { self.pump(); }, 500 * Math.pow(2, self.retries));
        return;
      }
      self.retries = 0;
      self.outbox = self.outbox.filter(function (e) { return e.body.client_id !== entry.body.client_id; });
      self.saveOutbox();
      if (ack && ack.ok === false) {
        // Refused on arrival (e.g. the round closed meanwhile): the screen says so.
        self.refusals[entry.event] = { error: ack.error, body: entry.body, at: Date.now() };
      } else {
        delete self.refusals[entry.event];
      }
      if (self.refusalsKey) storage.set(self.refusalsKey, JSON.stringify(self.refusals));
      var waiter = self.waiters[entry.body.client_id];
      delete self.waiters[entry.body.client_id];
      // The screen may have been reloaded since the write was made: it hears of the
      // answer here (clearing what waited in its boxes, or giving a refused text back).
      if (self.options.onAcked) self.options.onAcked(entry, ack);
      if (waiter) waiter(ack);
      self.render();
      self.pump();
    });
  };

  /* Refusals that say nothing about the write itself: it is sent again. */
  var TRANSIENT = { "server.error": true, "rate.limited": true, "auth.required": true, "server.busy": true };

  /* The writes of `event` still waiting to be sent (and matching `match`, if given). */
  Live.prototype.waiting = function (event, match) {
    return this.outbox.filter(function (e) {
      return e.event === event && (!match || match(e.body));
    });
  };

  /* The last refusal of `event` the server gave to a write from the outbox. */
  Live.prototype.refusal = function (event) { return this.refusals[event] || null; };
  Live.prototype.clearRefusal = function (event) {
    if (!this.refusals[event]) return;
    delete this.refusals[event];
    if (this.refusalsKey) storage.set(this.refusalsKey, JSON.stringify(this.refusals));
  };

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var mm = h ? ("0" + m).slice(-2) : String(m);
    return (h ? h + ":" : "") + mm + ":" + ("0" + s).slice(-2);
  }

  /* The phase timer: counts down a timebox, or up from the phase start. */
  function timerText(live, meeting) {
    if (!meeting || !meeting.phase_started_at) return { text: "", over: false };
    var elapsed = (live.now() - Date.parse(meeting.phase_started_at)) / 1000;
    if (meeting.timebox_seconds) {
      var left = meeting.timebox_seconds - elapsed;
      return left >= 0
        ? { text: clock(left), over: false, mode: "left" }
        : { text: "+" + clock(-left), over: true, mode: "over" };
    }
    return { text: clock(elapsed), over: false, mode: "elapsed" };
  }

  function stepText(meeting) {
    var walk = meeting.walk || [];
    var work = walk.slice(1, -1);
    var i = work.indexOf(meeting.phase);
    return i < 0 ? "" : t("ui", "phase_n_of", { n: i + 1, total: work.length });
  }

  /* ------------------------------------------------------------------ dialogs
   * An in-page dialog that names what will happen (never the browser's confirm or
   * prompt): a title, what it does to whom, optional fields with their limits, and an
   * error line. With `submit`, the dialog stays open (with what was typed) until the
   * server accepts; it resolves with the values, or null when cancelled. */
  var dialogCount = 0;
  function dialog(opts) {
    var before = document.activeElement;
    var uid = "pd-dialog-" + (++dialogCount);
    var node = el("dialog", { className: "pd-dialog", "aria-labelledby": uid + "-title",
      "aria-describedby": uid + "-body" });
    var form = el("form", { method: "dialog", novalidate: true });
    form.appendChild(el("h2", { id: uid + "-title", text: opts.title }));
    // What will happen, and to whom: read out with the title.
    var body = el("div", { id: uid + "-body" });
    [].concat(opts.body || []).forEach(function (part) {
      if (part === null || part === undefined || part === "") return;
      body.appendChild(typeof part === "string" ? el("p", { text: part }) : part);
    });
    form.appendChild(body);
    // Where the focus goes back to, also when the console redrew the button meanwhile.
    var returnTo = [];
    for (var a = before; a && a !== document.body; a = a.parentElement) if (a.id) returnTo.push(a.id);
    var inputs = {};
    (opts.fields || []).forEach(function (f) {
      var id = uid + "-" + f.name;
      var input = f.multiline
        ? el("textarea", { id: id, rows: f.rows || 3 })
        : el("input", { id: id, type: "text", autocomplete: "off" });
      input.value = f.value || "";
      var counter = f.max ? el("span", { className: "counter" }) : null;
      function count() {
        if (!counter) return;
        var n = input.value.trim().length;
        setText(counter, n + " / " + f.max);
        counter.classList.toggle("over", n > f.max);
      }
      input.addEventListener("input", count);
      count();
      inputs[f.name] = input;
      form.appendChild(el("label", { "for": id, text: f.label }));
      if (f.hint) form.appendChild(el("p", { className: "hint", text: f.hint }));
      form.appendChild(input);
      if (counter) form.appendChild(counter);
    });
    var error = el("p", { className: "form-error", role: "alert", hidden: true });
    form.appendChild(error);
    var cancel = el("button", { className: "btn", type: "button", value: "cancel",
      text: opts.cancel || t("ui", "cancel") });
    var confirm = el("button", { className: "btn " + (opts.danger ? "btn-danger-solid" : "btn-primary"),
      type: "submit", value: "ok", text: opts.confirm || t("ui", "ok") });
    form.appendChild(el("div", { className: "dialog-actions" }, cancel, confirm));
    node.appendChild(form);
    document.body.appendChild(node);
    return new Promise(function (resolve) {
      var done = false;
      function finish(value) {
        if (done) return;
        done = true;
        if (node.open) node.close();
        node.remove();
        var back = before && document.contains(before) ? before : null;
        for (var r = 0; !back && r < returnTo.length; r++) back = document.getElementById(returnTo[r]);
        if (back && back.focus) back.focus();
        resolve(value);
      }
      function values() {
        var out = {};
        Object.keys(inputs).forEach(function (k) { out[k] = inputs[k].value; });
        return out;
      }
      cancel.addEventListener("click", function () { finish(null); });
      var busy = false;
      node.addEventListener("cancel", function (e) { e.preventDefault(); if (!busy) finish(null); });
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var picked = values();
        if (!opts.submit) { finish(picked); return; }
        confirm.disabled = cancel.disabled = busy = true;
        error.hidden = true;
        Promise.resolve(opts.submit(picked)).then(function (ack) {
          confirm.disabled = cancel.disabled = busy = false;
          if (ack && ack.ok === false) {
            error.hidden = false;
            setText(error, errorMessage(ack.error));  // what was typed stays in the fields
            return;
          }
          finish(picked);
        });
      });
      node.showModal();
      var first = opts.fields && opts.fields.length ? inputs[opts.fields[0].name] : (opts.danger ? cancel : confirm);
      first.focus();
    });
  }

  function confirmDialog(opts) {
    return dialog(opts).then(function (v) { return v !== null; });
  }

  /* ------------------------------------------------------------------ diffs
   * A word diff from the server ([{op, text}]) as text with removed words struck
   * through and added words marked, readable without colour. */
  function diffNode(segments, className) {
    var node = el("span", { className: "diff " + (className || "") });
    (segments || []).forEach(function (s) {
      if (s.op === "same") node.appendChild(document.createTextNode(s.text));
      else if (s.op === "removed") node.appendChild(el("del", { text: s.text }));
      else node.appendChild(el("ins", { text: s.text }));
    });
    return node;
  }

  /* A field's text, or its diff when it changed: `changes` maps field -> segments. */
  function fieldNode(tag, attrs, text, segments) {
    var node = el(tag, attrs);
    if (segments && segments.length) node.appendChild(diffNode(segments));
    else node.textContent = text || "";
    return node;
  }

  /* ------------------------------------------------------------------ drafts
   * A text field that keeps what was typed on the device (also across a reload) until
   * it was sent and stored. */
  function keepDraft(field, key) {
    var keyOf = typeof key === "function" ? key : function () { return key; };
    function storeKey() { return "plandag:draft:" + keyOf(); }
    var saved = storage.get(storeKey());
    if (saved && !field.value) field.value = saved;
    field.addEventListener("input", function () {
      if (field.value) storage.set(storeKey(), field.value); else storage.remove(storeKey());
    });
    return {
      clear: function (k) { storage.remove("plandag:draft:" + (k === undefined ? keyOf() : k)); },
      saved: function (k) { return storage.get("plandag:draft:" + (k === undefined ? keyOf() : k)); },
    };
  }

  /* When and where people meet again ("1 maart 2027 · Buurthuis"), from a plan's
   * appointment: an ISO date (or "") and a place. Appended to a plan text. */
  function withWhenWhere(text, date, place) {
    var when = "";
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || "");
    if (m) {
      var day = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
      try {
        when = day.toLocaleDateString(document.documentElement.lang || undefined, { day: "numeric", month: "long", year: "numeric", numberingSystem: "latn" });
      } catch (e) { when = date; }
    }
    var extra = [when, place || ""].filter(function (x) { return x; }).join(" · ");
    return [text || "", extra].filter(function (x) { return x; }).join("\n");
  }

  var storage = {
    get: function (k) { try { return window.localStorage.getItem(k); } catch (e) { return null; } },
    set: function (k, v) { try { window.localStorage.setItem(k, v); } catch (e) { /* full or off */ } },
    remove: function (k) { try { window.localStorage.removeItem(k); } catch (e) { /* off */ } },
    json: function (k, fallback) {
      try { var v = JSON.parse(this.get(k)); return v === null ? fallback : v; } catch (e) { return fallback; }
    },
  };

  /* The connection pill: a dot and a word. */
  function connectionPill(node, state) {
    if (!node) return;
    var dot = node.querySelector(".dot"), label = node.querySelector(".label");
    if (dot) dot.className = "dot" + (state === "online" ? " on" : "");
    var word = t("ui", state === "online" ? "online" : (state === "offline" ? "offline_short" : "connecting"));
    if (label) setText(label, word); else setText(node, word);
    node.classList.toggle("on", state === "online");
    node.classList.toggle("off", state !== "online");
  }

  /* ------------------------------------------------------------------ screens that never scroll
   * Text as blocks small enough for a page: a paragraph (plain text, or a word diff's
   * segments) is cut at word boundaries into pieces of at most `max` characters. Each
   * piece carries its item's title (`item`), so a page that starts in the middle of an
   * item can say which one continues. */
  function textBlocks(className, content, item, max) {
    max = max || 280;
    var segments = typeof content === "string" ? [{ op: "same", text: content }] : (content || []);
    // Words with their kind, and where a line ends or a sentence ends.
    var words = [];
    segments.forEach(function (seg) {
      String(seg.text).split(/(\n|[^\S\n]+)/).forEach(function (w) { if (w) words.push({ op: seg.op, text: w }); });
    });
    // Sentences (cut at . ! ? ; : and at line ends), grouped into pieces of at most `max`
    // characters; a longer sentence is cut at a word.
    var pieces = [], piece = [], length = 0, sentence = [], slen = 0;
    function endPiece() { if (piece.length) pieces.push(piece); piece = []; length = 0; }
    function endSentence(hard) {
      if (sentence.length) {
        if (length && length + slen > max) endPiece();
        piece = piece.concat(sentence);
        length += slen;
      }
      sentence = []; slen = 0;
      if (hard) endPiece();
    }
    words.forEach(function (w) {
      if (w.text === "\n") { endSentence(true); return; }
      if (slen + w.text.length > max && slen > 0 && /\S/.test(w.text)) {
        endSentence(false);
        endPiece();
      }
      sentence.push(w);
      slen += w.text.length;
      if (/[.!?;:]["”’)]*$/.test(w.text)) endSentence(false);
    });
    endSentence(true);
    var blocks = [];
    pieces.forEach(function (ws, i) {
      var node = el("p", { className: "block " + className + (i === 0 ? " first" : " cont") });
      node.dataset.item = item || "";
      ws.forEach(function (w, j) {
        if (j === 0 && !/\S/.test(w.text)) return;
        if (w.op === "same") node.appendChild(document.createTextNode(w.text));
        else node.appendChild(el(w.op === "removed" ? "del" : "ins", { text: w.text }));
      });
      if (node.textContent.trim()) blocks.push(node);
    });
    return blocks;
  }

  /* A render that rebuilds a list or hides a button must not drop the keyboard focus
   * to <body> (a screen reader would hear nothing, Enter would do nothing). The focused
   * control is found again after the render: the same node, or its id, or the one
   * control of its box with the same data-key, label and words. When it is gone (or
   * ambiguous: never the first of many "Support" buttons, a second Enter must not act
   * on something else), the focus goes to the nearest visible heading or region, which
   * acts on nothing. */
  function focusKey(node) {
    if (!node || node === document.body || node === document.documentElement) return null;
    var box = node.parentElement && node.parentElement.closest("[id]");
    return { node: node, id: node.id || null, key: node.getAttribute("data-key"), tag: node.tagName,
      label: node.getAttribute("aria-label"), text: (node.textContent || "").trim(), box: box ? box.id : null };
  }
  function shown(node) {
    return !!node && document.contains(node) && node.getClientRects().length > 0 && node.closest("[hidden]") === null;
  }
  function focusable(node) { return shown(node) && !node.disabled; }
  function landing(from) {
    // the nearest visible heading above (or the region itself), made focusable by script
    for (var box = from; box && box !== document.body; box = box.parentElement) {
      if (!shown(box)) continue;
      var heading = box.matches("h1, h2, h3") ? box : box.querySelector("h1, h2, h3");
      var target = shown(heading) ? heading : (box.matches("section, .card, .phone-card, main") ? box : null);
      if (target) {
        if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
        return target;
      }
    }
    var top = document.querySelector("main h1, main h2, h1");
    if (top && !top.hasAttribute("tabindex")) top.setAttribute("tabindex", "-1");
    return top;
  }
  function restoreFocus(k) {
    if (!k) return;
    var now = document.activeElement;
    var lost = !now || now === document.body || now === document.documentElement || (now === k.node && !focusable(now));
    if (!lost) return;
    if (focusable(k.node)) { k.node.focus({ preventScroll: true }); return; }
    var target = k.id ? document.getElementById(k.id) : null;
    if (!focusable(target)) target = null;
    var box = k.box ? document.getElementById(k.box) : null;
    if (!target && box && shown(box)) {
      // an item's control by its key ("floor:3" stays itself when "give" becomes "end"),
      // else by its label and words
      var same = Array.prototype.filter.call(box.querySelectorAll(k.key ? "[data-key]" : k.tag), function (n) {
        if (!focusable(n)) return false;
        if (k.key) return n.getAttribute("data-key") === k.key;
        return n.getAttribute("aria-label") === k.label && (n.textContent || "").trim() === k.text;
      });
      if (same.length === 1) target = same[0];
    }
    if (!target) target = landing(box && document.contains(box) ? box : (k.node.isConnected ? k.node.parentElement : null));
    if (target) target.focus({ preventScroll: true });
  }
  function keepingFocus(render) {
    return function () {
      var k = focusKey(document.activeElement);
      render.apply(this, arguments);
      restoreFocus(k);
    };
  }

  /* Lay blocks out into pages that fit `box`; pages turn by themselves every
   * `seconds` with an "n of m" cue. Content that does not change keeps its page. */
  function Pager(box, cue) {
    this.box = box; this.cue = cue;
    this.pages = []; this.index = 0; this.key = null; this.timer = null; this.size = "";
    var self = this;
    function again() { self.size = ""; if (self.blocks) self.show(self.key, self.build, self.seconds); }
    window.addEventListener("resize", again);
    // Whatever changes the box's height (fonts arriving, a banner, a longer footer),
    // the pages are laid out again to fit it.
    if (window.ResizeObserver) new ResizeObserver(function () { self.refit(); }).observe(box);
    // The page's fonts change the measure when they arrive: lay out once more.
    if (document.fonts) document.fonts.addEventListener("loadingdone", again);
  }
  Pager.prototype.show = function (key, build, seconds) {
    var size = window.innerWidth + "x" + window.innerHeight;
    this.seconds = seconds || 12;
    this.build = build;
    if (key === this.key && size === this.size && this.box.clientHeight === this.limit) return;
    var keep = key === this.key ? this.index : 0;
    this.key = key; this.size = size;
    this.blocks = build();
    this.layout();
    this.index = Math.min(keep, this.pages.length - 1);
    this.draw();
  };
  Pager.prototype.layout = function () {
    var box = this.box, pages = [[]], page = el("div", { className: "pager-page" });
    box.textContent = "";
    box.appendChild(page);
    var limit = this.limit = box.clientHeight;
    function over() { return box.scrollHeight > limit; }
    this.blocks.forEach(function (block) {
      page.appendChild(block);
      if (over() && page.childNodes.length > 1) {
        page.removeChild(block);
        page.textContent = "";
        var fresh = [];
        if (block.classList.contains("cont") && block.dataset.item) {
          var label = el("p", { className: "block continued", text: t("ui", "continued", { title: block.dataset.item }) });
          page.appendChild(label);
          fresh.push(label);
        }
        page.appendChild(block);
        if (over() && fresh.length) { page.removeChild(fresh[0]); fresh = []; }
        pages.push(fresh);
      }
      pages[pages.length - 1].push(block);
    });
    this.pages = pages;
  };
  Pager.prototype.draw = function () {
    var self = this, page = el("div", { className: "pager-page" }, this.pages[this.index] || []);
    this.box.textContent = "";
    this.box.appendChild(page);
    if (this.cue) {
      // The cue keeps its place (only its text comes and goes), so the pages keep their measure.
      this.cue.style.visibility = this.pages.length < 2 ? "hidden" : "visible";
      setText(this.cue, t("ui", "page_n_of", { n: this.index + 1, total: this.pages.length }) +
        (Pager.paused ? " · " + t("ui", "pages_paused") : ""));
    }
    clearTimeout(this.timer);
    // Pages turn by themselves unless someone paused them (P); the arrow keys and a
    // presenter's remote always turn them (beamer.js).
    if (this.pages.length > 1 && !Pager.still()) {
      this.timer = setTimeout(function () {
        self.index = (self.index + 1) % self.pages.length;
        self.draw();
      }, this.seconds * 1000);
    }
  };
  Pager.paused = false;
  /* Paused by P (WCAG 2.2.2); the pages move without any animation, so reduced motion
     leaves their turning as it is (a room would otherwise never see page 2). */
  Pager.still = function () { return Pager.paused; };
  /* Lay out again if the box changed size since (a banner, a longer footer). */
  Pager.prototype.refit = function () {
    if (this.blocks && this.box.clientHeight !== this.limit) this.show(this.key, this.build, this.seconds);
  };
  Pager.prototype.clear = function () { clearTimeout(this.timer); this.key = null; this.blocks = null; this.pages = []; };
  /* A presenter's remote (or the arrow keys) turns the pages too. */
  Pager.prototype.turn = function (step) {
    if (this.pages.length < 2) return false;
    if (!step) { this.draw(); return true; }  // the same page; its timer again (or none)
    this.index = (this.index + step + this.pages.length) % this.pages.length;
    this.draw();
    return true;
  };

  /* Put `nodes` into `box` while they fit; what does not fit is counted in a last
   * line made by `more(n)`. Nothing is cut off mid-way. */
  function fitList(box, nodes, more, make) {
    box.textContent = "";
    function over() {
      return box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1;
    }
    // `make` builds each node only when it is tried: a wall of 1,000 cards costs what fits.
    for (var i = 0; i < nodes.length; i++) {
      var node = make ? make(nodes[i]) : nodes[i];
      box.appendChild(node);
      if (over()) {
        box.removeChild(node);
        var rest = nodes.length - i;
        var line = more(rest);
        box.appendChild(line);
        while (over() && box.childNodes.length > 1) {
          box.removeChild(box.childNodes[box.childNodes.length - 2]);
          rest++;
          setText(line, more(rest).textContent);
        }
        return nodes.length - rest;
      }
    }
    return nodes.length;
  }

  /* A person with their group: "Fatima · Bewoners", or the label alone when it already
   * names the group ("Fatima (Bewoners)", told apart from a namesake). */
  function who(name, group) {
    if (!group) return name;
    return String(name).slice(-(group.length + 2)) === "(" + group + ")" ? name : name + " · " + group;
  }

  function outcomeText(outcome) {
    return t("ui", "outcome_" + (outcome || "adopted"));
  }

  window.Plandag = {
    keepingFocus: keepingFocus,
    textBlocks: textBlocks, Pager: Pager, fitList: fitList, outcomeText: outcomeText, who: who,
    Live: Live, el: el, t: t, tn: tn, fmt: fmt, setText: setText, boot: BOOT, strings: STRINGS,
    errorMessage: errorMessage, timerText: timerText, stepText: stepText, clientId: clientId,
    items: items, $: byId, dialog: dialog, confirm: confirmDialog, diffNode: diffNode,
    fieldNode: fieldNode, keepDraft: keepDraft, storage: storage, connectionPill: connectionPill,
    withWhenWhere: withWhenWhere,
  };
})();
