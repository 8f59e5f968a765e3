/* The facilitator's console: phase control, timer, participants with live presence. */
(function () {
  "use strict";
  var P = window.Plandag, el = P.el, t = P.t, setText = P.setText;
  var $ = function (id) { return document.getElementById(id); };
  var rows = {};  // participant id -> <li>, reused across renders
  var layout = "";  // groups and their members' ids, as last drawn
  var awaitVersion = 0;  // a phase move was acknowledged; keep buttons off until it shows
  var live;

  function participants() {
    var out = [];
    Object.keys(live.views).forEach(function (key) {
      if (key.indexOf("participant:") === 0) out.push(live.views[key]);
    });
    out.sort(function (a, b) { return a.name.localeCompare(b.name) || a.id - b.id; });
    return out;
  }

  function showError(ack) {
    setText("action-error", ack && !ack.ok ? P.errorMessage(ack.error) : "");
  }

  function renderPhases(meeting) {
    var bar = $("phasebar");
    bar.textContent = "";
    var current = meeting.walk.indexOf(meeting.phase);
    meeting.walk.forEach(function (phase, i) {
      bar.appendChild(el("li", {
        className: i === current ? "current" : (i < current ? "done" : ""),
        "aria-current": i === current ? "step" : null,
        text: t("phases", phase),
      }));
    });
    setText("phase-now", t("phases", meeting.phase));
    var advance = $("advance"), back = $("back");
    setText(advance, t("ui", "advance_to", { phase: t("phases", meeting.next_phase) }));
    setText(back, t("ui", "back_to", { phase: t("phases", meeting.previous_phase) }));
    var moving = live.version < awaitVersion;
    advance.disabled = moving || !!meeting.advance_blocked;
    back.disabled = moving || !!meeting.back_blocked;
    var blocked = meeting.advance_blocked;
    setText("blocked", blocked && blocked.code !== "phase.at_end"
      ? t("errors", blocked.code, blocked.params) : "");
    setText("open-question", meeting.open_question);
  }

  function personRow(p) {
    var li = rows[p.id];
    if (!li) {
      var role = el("select", { "aria-label": t("ui", "role") + " " + p.name, onchange: function (e) {
        live.send("participant.set_role", { participant_id: p.id, role: e.target.value }).then(function (ack) {
          showError(ack);
          var current = live.views["participant:" + p.id];
          if (!ack.ok && current) e.target.value = current.role;  // show what is saved
        });
      } });
      Object.keys(P.strings.roles).forEach(function (r) {
        role.appendChild(el("option", { value: r, text: t("roles", r) }));
      });
      var remove = el("button", { className: "btn btn-small btn-danger", type: "button", text: "×",
        onclick: function () {
          var current = live.views["participant:" + p.id] || p;
          if (window.confirm(t("ui", "confirm_remove", { name: current.name }))) {
            live.send("participant.remove", { participant_id: p.id }).then(showError);
          }
        } });
      li = el("li", { "data-id": p.id }, el("span", { className: "dot" }), el("span", { className: "name" }), role, remove);
      rows[p.id] = li;
    }
    li.className = p.removed ? "removed" : "";
    li.querySelector(".dot").className = "dot" + (p.online && !p.removed ? " on" : "");
    li.querySelector(".dot").title = p.online ? t("ui", "online") : "";
    setText(li.querySelector(".name"), p.name + (p.removed ? " (" + t("ui", "removed") + ")" : ""));
    var select = li.querySelector("select");
    if (select.value !== p.role) select.value = p.role;
    select.disabled = p.removed;
    li.querySelector("button").hidden = p.removed;
    return li;
  }

  function renderPeople(meeting, counts) {
    var box = $("people");
    var people = participants();
    var byGroup = {};
    people.forEach(function (p) { (byGroup[p.group] = byGroup[p.group] || []).push(p); });
    var groups = (counts && counts.groups ? counts.groups.map(function (g) { return g.group; }) : meeting.groups);
    // Rows are updated in place; the list is only rebuilt when who is where changed,
    // so an open role menu is not closed by every presence update.
    people.forEach(personRow);
    var shape = JSON.stringify(groups.map(function (g) {
      return [g, (byGroup[g] || []).map(function (p) { return p.id; })];
    }));
    groups.forEach(function (group) {
      var members = byGroup[group] || [];
      var head = box.querySelector('[data-group-count="' + CSS.escape(group) + '"]');
      if (head) {
        var online = members.filter(function (p) { return p.online && !p.removed; }).length;
        var active = members.filter(function (p) { return !p.removed; }).length;
        setText(head, online + " / " + active);
      }
    });
    if (shape === layout) return;
    layout = shape;
    box.textContent = "";
    if (!people.length) {
      box.appendChild(el("p", { className: "muted", text: t("ui", "no_participants") }));
      return;
    }
    groups.forEach(function (group) {
      var members = byGroup[group] || [];
      var online = members.filter(function (p) { return p.online && !p.removed; }).length;
      var active = members.filter(function (p) { return !p.removed; }).length;
      var list = el("ul", { className: "people" });
      members.forEach(function (p) { list.appendChild(rows[p.id]); });
      box.appendChild(el("div", { className: "group-block" },
        el("h3", null, el("span", { text: group }),
          el("span", { className: "muted", "data-group-count": group, text: online + " / " + active })),
        list));
    });
  }

  function renderCounts(counts) {
    if (!counts) return;
    setText("online-count", counts.online);
    setText("joined-count", counts.joined);
    var body = $("balance");
    body.textContent = "";
    counts.groups.forEach(function (g) {
      body.appendChild(el("tr", null, el("td", { text: g.group }),
        el("td", { className: "num", text: String(g.joined) }),
        el("td", { className: "num", text: String(g.online) })));
    });
  }

  function render() {
    var meeting = live.views.meeting;
    if (!meeting) return;
    renderPhases(meeting);
    renderCounts(live.views.counts);
    renderPeople(meeting, live.views.counts);
    var screens = live.views.screens || {};
    setText("beamer-count", screens.beamers || 0);
    var access = live.views.access;
    if (access && $("beamer-url").value !== access.beamer_url) {
      $("beamer-url").value = access.beamer_url;
      $("open-beamer").href = access.beamer_url;
    }
    tick();
  }

  function tick() {
    var meeting = live && live.views.meeting;
    var timer = P.timerText(live, meeting);
    var node = $("timer");
    setText(node, timer.text);
    node.className = "timer" + (timer.over ? " over" : "");
  }

  function move(event) {
    var meeting = live.views.meeting;
    $("advance").disabled = $("back").disabled = true;
    live.send(event, { from: meeting.phase }).then(function (ack) {
      showError(ack);
      if (ack.ok) awaitVersion = ack.version;
      if (!ack.ok && ack.error.code === "phase.stale") live.resync();
      render();
    });
  }

  function status(state) {
    var node = $("connection");
    node.className = "status-pill connection " + (state === "online" ? "on" : "off");
    setText(node, t("ui", state === "online" ? "online" : (state === "offline" ? "offline" : "connecting")));
  }

  live = new P.Live({
    auth: { audience: "console", meeting: P.boot.meeting },
    render: render,
    onStatus: status,
    onRefused: function (error) { setText("action-error", P.errorMessage(error)); },
  }).connect();

  $("advance").addEventListener("click", function () { move("phase.advance"); });
  $("back").addEventListener("click", function () { move("phase.back"); });
  $("timer-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var minutes = parseInt($("timebox").value, 10);
    live.send("timer.set", { minutes: isNaN(minutes) ? -1 : minutes }).then(showError);
  });
  $("timer-clear").addEventListener("click", function () {
    live.send("timer.set", { minutes: null }).then(showError);
  });
  setInterval(tick, 1000);
  window.plandagLive = live;
})();
