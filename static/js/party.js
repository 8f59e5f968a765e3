/* A framework party's screen: its kaders (drafts before the lock), flags on proposals,
 * and the kader check, agreement by agreement. Works on a desktop and on a phone. */
(function () {
  "use strict";
  var P = window.Plandag, el = P.el, t = P.t, setText = P.setText, K = P.kaders, $ = P.$;
  var k = function (key, params) { return t("kaders", key, params); };
  var live = null;
  var editing = null;  // the draft kader being edited
  var drafts = {};  // "agreement:framework" -> {verdict, explanation} not sent yet
  var flagging = null;  // proposal id whose flag form is open
  var refusals = {};  // "agreement:framework" -> the last refusal, kept across redraws
  var flagDrafts = {};  // proposal id -> {framework, note} typed but not sent

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body || {}),
    }).then(function (r) {
      return r.json().catch(function () { return { ok: false, error: { code: "server.error" } }; });
    }).catch(function () { return { ok: false, error: { code: "network", message: t("ui", "offline") } }; });
  }

  function showError(id, ack) {
    var node = $(id);
    if (!node) return;
    node.hidden = !ack || ack.ok;
    setText(node, ack && !ack.ok ? P.errorMessage(ack.error) : "");
  }

  /* ---------------------------------------------------------------- before access */

  function waitForApproval() {
    var timer = setInterval(function () {
      fetch(P.boot.status_url, { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (body) {
          if (body.ok && body.status !== "pending") window.location.reload();
          else if (!body.ok) {
            // The link was renewed or withdrawn: waiting longer cannot help.
            clearInterval(timer);
            $("pending-note").hidden = true;
            showError("claim-error", body);
          }
        })
        .catch(function () { /* offline for a moment: try again at the next tick */ });
    }, 3000);
  }

  if (P.boot.status === "claim") {
    $("claim-form").addEventListener("submit", function (e) {
      e.preventDefault();
      $("claim-button").disabled = true;
      post(P.boot.claim_url, { name: $("claim-name").value }).then(function (ack) {
        $("claim-button").disabled = false;
        showError("claim-error", ack);
        if (ack.ok) window.location.reload();
      });
    });
    return;
  }
  if (P.boot.status === "new" || P.boot.status === "pending") {
    $("ask-button").addEventListener("click", function () {
      post(P.boot.claim_url, {}).then(function (ack) {
        showError("claim-error", ack);
        if (ack.ok) { $("ask-button").hidden = true; $("pending-note").hidden = false; waitForApproval(); }
      });
    });
    if (P.boot.status === "pending") waitForApproval();
    return;
  }
  if (P.boot.status !== "approved") return;

  /* ---------------------------------------------------------------- the screen */

  function myPartyId() { return live.you && live.you.party ? live.you.party.id : P.boot.party_id; }

  function renderFrameworks(meeting) {
    var view = live.views.frameworks || {};
    var party = live.you && live.you.party;
    var items = view.locked ? K.frameworks(live) : ((party && party.drafts) || []);
    setText("frameworks-state", "(" + (view.locked ? k("locked") : k("draft")) + ")");
    var list = $("frameworks");
    list.textContent = "";
    if (!items.length) list.appendChild(el("li", { className: "muted", text: k("none") }));
    items.forEach(function (f) {
      var own = f.party_id === myPartyId();
      list.appendChild(el("li", { className: "card" + (own ? " own" : "") },
        el("h3", { text: f.number + ". " + f.title }),
        el("p", { className: "hint", text: K.frameworkLabel(f) }),
        view.locked ? K.versionBadge(f) : null,
        el("p", { className: "pre-line", text: f.description }),
        own && !view.locked ? el("div", { className: "card-actions" },
          el("button", { className: "btn btn-small", type: "button", text: t("ui", "edit"), onclick: function () {
            editing = f.id;
            $("framework-title").value = f.title;
            $("framework-description").value = f.description;
            setText("framework-form-title", k("edit"));
            $("framework-cancel").hidden = false;
            $("framework-title").focus();
          } }),
          el("button", { className: "btn btn-small btn-danger", type: "button", text: k("delete"), onclick: function () {
            P.confirm({ title: k("confirm_delete", { title: f.title }), body: [k("delete_final")],
              confirm: k("delete"), danger: true }).then(function (yes) {
              if (!yes) return;
              live.send("framework.delete", { id: f.id }).then(function (ack) { showError("framework-error", ack); });
            });
          } })) : null));
    });
    $("framework-form").hidden = !!view.locked || meeting.phase === "closed";
  }

  function renderFlags(meeting) {
    var view = live.views.frameworks || {};
    var active = (meeting.phase === "proposals" || meeting.phase === "consent") && view.locked;
    $("flag-card").hidden = !active;
    if (!active) return;
    var list = $("party-proposals");
    var focusedEl = document.activeElement;
    // Do not redraw under someone filling in the open flag form (its fields, or its own
    // buttons after a refusal); a click on "flag" elsewhere must still open the form.
    var inForm = focusedEl && list.contains(focusedEl) && focusedEl.closest(".flag-form");
    if (inForm && flagging !== null) return;
    list.textContent = "";
    var mine = live.you && live.you.party ? live.you.party.id : null;
    K.proposals(live).forEach(function (p) {
      var form = null;
      if (flagging === p.id) {
        var draft = flagDrafts[p.id] || {};
        var select = el("select", { id: "flag-framework-" + p.id,
          onchange: function (e) { draft.framework = e.target.value; flagDrafts[p.id] = draft; } });
        K.frameworks(live).forEach(function (f) { select.appendChild(el("option", { value: String(f.id), text: f.number + ". " + f.title })); });
        if (draft.framework) select.value = draft.framework;
        var note = el("textarea", { id: "flag-note-" + p.id, rows: "3",
          oninput: function (e) { draft.note = e.target.value; flagDrafts[p.id] = draft; } });
        note.value = draft.note || "";
        var error = el("p", { className: "form-error", id: "flag-error-" + p.id, role: "alert", hidden: true });
        form = el("div", { className: "stack flag-form" },
          el("label", { "for": "flag-framework-" + p.id, text: k("which_kader") }), select,
          el("label", { "for": "flag-note-" + p.id, text: k("flag_note") }), note, error,
          el("div", { className: "card-actions" },
            el("button", { className: "btn btn-primary btn-small", type: "button", text: k("flag"), onclick: function () {
              live.send("framework.flag", { proposal_id: p.id, framework_id: parseInt(select.value, 10), note: note.value })
                .then(function (ack) {
                  showError("flag-error-" + p.id, ack);
                  if (ack.ok) { flagging = null; delete flagDrafts[p.id]; render(); }
                });
            } }),
            el("button", { className: "btn btn-small", type: "button", text: k("cancel"),
              onclick: function () { flagging = null; render(); } })));
      }
      list.appendChild(el("li", { className: "card" },
        el("h3", { text: p.title }),
        p.description ? el("p", { className: "pre-line", text: p.description }) : null,
        K.flagNotes(live, p.id, { remove: function (f) { return mine !== null && f.party_id === mine; },
          onRemove: function (f) { live.send("framework.unflag", { id: f.id }).then(function () { render(); }); } }),
        form || el("button", { className: "btn btn-small", type: "button", text: k("flag"),
          onclick: function () { flagging = p.id; render(); var n = $("flag-note-" + p.id); if (n) n.focus(); } })));
    });
  }

  function renderCheck(meeting) {
    var c = K.check(live);
    var show = ["framework_check", "signing", "closed"].indexOf(meeting.phase) >= 0 && c;
    $("check-card").hidden = !show;
    if (!show) return;
    var writable = meeting.phase === "framework_check";
    setText("check-progress", k("progress", { done: c.total - c.missing, total: c.total }));
    var result = $("check-result");
    result.className = "check-result " + c.status;
    setText(result, K.statusText(c));
    var box = $("check-agreements");
    if (document.activeElement && box.contains(document.activeElement) && document.activeElement.tagName === "TEXTAREA") return;
    box.textContent = "";
    var entries = K.entryMap(c);
    var fws = K.frameworks(live);
    var mine = fws.filter(function (f) { return f.party_id === myPartyId(); });
    var others = fws.filter(function (f) { return f.party_id !== myPartyId(); });
    K.agreements(live).forEach(function (a, i) {
      var meta = [a.what, a.who, a.where, a.when].filter(function (x) { return x; }).join(" · ");
      var block = el("article", { className: "card agreement-check", id: "agreement-" + a.id },
        el("h3", { text: k("agreement_n", { n: i + 1 }) + ": " + a.title }),
        meta ? el("p", { className: "pre-line", text: meta }) : null);
      mine.forEach(function (f) { block.appendChild(verdictForm(a, f, entries[a.id + ":" + f.id], writable)); });
      if (others.length) {
        block.appendChild(el("p", { className: "hint", text: k("other_kaders") + ": " + others.map(function (f) {
          var e = entries[a.id + ":" + f.id];
          return f.number + ". " + f.title + " — " + (e && e.current ? k(e.verdict) : k("not_checked"));
        }).join("; ") }));
      }
      box.appendChild(block);
    });
  }

  function verdictForm(a, f, entry, writable) {
    var key = a.id + ":" + f.id;
    var draft = drafts[key] || { verdict: entry && entry.current ? entry.verdict : null, explanation: entry ? entry.explanation : "" };
    var id = "check-" + a.id + "-" + f.id;
    var status = el("p", { className: "hint", role: "status", text: entry ? (entry.current ? k("check_saved") + " " + k(entry.verdict) + (entry.on_behalf ? " · " + k("on_behalf", { party: entry.party || "" }) : "") : k("stale")) : k("not_checked") });
    var error = el("p", { className: "form-error", id: id + "-error", role: "alert", hidden: !refusals[key], text: refusals[key] || "" });
    var text = el("textarea", { id: id + "-text", rows: "2", disabled: !writable });
    text.value = draft.explanation || "";
    text.addEventListener("input", function () { drafts[key] = { verdict: draft.verdict, explanation: text.value }; });
    function choose(verdict) {
      draft = { verdict: verdict, explanation: text.value };
      drafts[key] = draft;
      fits.setAttribute("aria-pressed", String(verdict === "fits"));
      notFit.setAttribute("aria-pressed", String(verdict === "does_not_fit"));
    }
    var fits = el("button", { className: "choice", type: "button", "data-verdict": "fits", disabled: !writable,
      "aria-pressed": String(draft.verdict === "fits"), text: "✓ " + k("fits"), onclick: function () { choose("fits"); } });
    var notFit = el("button", { className: "choice", type: "button", "data-verdict": "does_not_fit", disabled: !writable,
      "aria-pressed": String(draft.verdict === "does_not_fit"), text: "✗ " + k("does_not_fit"), onclick: function () { choose("does_not_fit"); } });
    var save = el("button", { className: "btn btn-primary btn-small", type: "button", text: k("record"), disabled: !writable, onclick: function () {
      if (!draft.verdict) {
        refusals[key] = t("errors", "check.verdict_invalid");
        error.hidden = false; setText(error, refusals[key]); return;
      }
      save.disabled = true;
      live.send("check.record", { agreement_id: a.id, framework_id: f.id, verdict: draft.verdict,
        explanation: text.value, framework_version: f.version })
        .then(function (ack) {
          save.disabled = false;
          if (ack.ok) { delete refusals[key]; delete drafts[key]; }
          else refusals[key] = P.errorMessage(ack.error);
          var shown = document.getElementById(id + "-error") || error;
          shown.hidden = ack.ok;
          setText(shown, ack.ok ? "" : refusals[key]);
        });
    } });
    return el("fieldset", { className: "verdict" },
      el("legend", { text: f.number + ". " + f.title }),
      el("div", { className: "choices two", role: "group" }, fits, notFit),
      el("label", { "for": id + "-text", text: k("explanation") }), text, error,
      el("div", { className: "card-actions" }, save), status);
  }

  function render() {
    var meeting = live.views.meeting;
    if (!meeting) return;
    setText("meeting-title", meeting.title);
    setText("step", P.stepText(meeting));
    setText("phase", t("phases", meeting.phase));
    setText("task", t("party_tasks", meeting.phase));
    if (live.you) setText("you-name", live.you.name);
    P.signing.render(live, meeting);
    renderCheck(meeting);
    renderFrameworks(meeting);
    renderFlags(meeting);
  }

  function status(state) {
    P.connectionPill($("connection"), state);
    $("offline").hidden = state !== "offline";
  }

  function resetForm() {
    editing = null;
    $("framework-title").value = "";
    $("framework-description").value = "";
    setText("framework-form-title", k("new"));
    $("framework-cancel").hidden = true;
  }

  $("framework-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var payload = { title: $("framework-title").value, description: $("framework-description").value };
    if (editing) payload.id = editing;
    live.send("framework.save", payload).then(function (ack) {
      showError("framework-error", ack);
      if (ack.ok) resetForm();
    });
  });
  $("framework-cancel").addEventListener("click", resetForm);

  live = new P.Live({
    auth: { audience: "phone", code: P.boot.code },
    render: P.keepingFocus(render),
    onStatus: status,
    onRefused: function (error) {
      live.stopped = true;
      live.socket.disconnect();
      setText("task", P.errorMessage(error));
    },
  }).connect();
  window.plandagLive = live;
})();
