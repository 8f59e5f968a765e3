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

  function fmt(template, params) {
    return String(template).replace(/\{(\w+)\}/g, function (m, k) {
      return params && params[k] !== undefined ? params[k] : m;
    });
  }

  function t(group, key, params) {
    var table = STRINGS[group] || {};
    return fmt(table[key] !== undefined ? table[key] : key, params);
  }

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
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
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
  }

  Live.prototype.connect = function () {
    var self = this;
    var auth = Object.assign({ lang: BOOT.lang }, this.options.auth);
    var socket = io({ auth: auth, reconnectionDelayMax: 4000, timeout: 8000 });
    this.socket = socket;
    socket.on("connect", function () { self.status("online"); });
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
    socket.on("you", function (you) { self.you = you; self.render(); });
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
    this.stats.snapshots++;
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
    if (!quiet) this.render();
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

  /* Send an intent. Resolves with the ack ({ok, ...} or {ok:false, error}); retries with
   * the same client id while the ack is missing. */
  Live.prototype.send = function (event, payload) {
    var self = this;
    var body = Object.assign({ client_id: clientId() }, payload || {});
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

  window.Plandag = {
    Live: Live, el: el, t: t, fmt: fmt, setText: setText, boot: BOOT, strings: STRINGS,
    errorMessage: errorMessage, timerText: timerText, stepText: stepText, clientId: clientId,
  };
})();
