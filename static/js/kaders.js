/* Kaders on every screen: the console's panel (parties, kaders, flags, the check and
 * follow-ups), the beamer's views (a kader presented in framing, the check filling in
 * live) and the phone's cards. User text only ever goes in with textContent (P.el). */
(function () {
  "use strict";
  var P = window.Plandag, el = P.el, t = P.t, setText = P.setText, $ = P.$;
  var k = function (key, params) { return t("kaders", key, params); };

  function frameworks(live) { return (live.views.frameworks || {}).items || []; }
  function byId(list) { var out = {}; list.forEach(function (x) { out[x.id] = x; }); return out; }
  function agreements(live) { return ((live.views.agreements || {}).items || []); }
  function check(live) { return live.views.framework_check || null; }
  function flags(live) { return live.views.framework_flags || []; }

  function entryMap(c) {
    var out = {};
    ((c && c.entries) || []).forEach(function (e) { out[e.agreement_id + ":" + e.framework_id] = e; });
    return out;
  }

  function proposals(live) {
    return P.items(live.views, "proposal:").filter(function (p) { return p.status === "open"; })
      .sort(function (a, b) { return a.id - b.id; });
  }

  function statusText(c) { return c ? k("status_" + c.status) : ""; }

  function frameworkLabel(f) {
    return f.party ? k("from_party", { party: f.party }) : k("facilitators");
  }

  function versionBadge(f) {
    var parts = [k("version_n", { n: f.version })];
    if (f.changed_after_lock) parts.push(k("changed_after_lock"));
    return el("span", { className: "badge" + (f.changed_after_lock ? " warn" : ""), text: parts.join(" · ") });
  }

  /* A flagged proposal, as the room sees it. */
  function flagNotes(live, proposalId, opts) {
    var fw = byId(frameworks(live));
    var list = flags(live).filter(function (f) { return f.proposal_id === proposalId; });
    if (!list.length) return null;
    return el.apply(null, ["ul", { className: "flags" }].concat(list.map(function (f) {
      var kader = fw[f.framework_id];
      return el("li", { className: "flag" },
        el("b", { text: "⚠ " + k("flagged", { n: kader ? kader.number : "?", title: kader ? kader.title : "" }) }),
        el("span", { className: "pre-line", text: " — " + f.note }),
        el("span", { className: "muted", text: " (" + k("flagged_by", { who: f.by || k("by_facilitator") }) + ")" }),
        opts && opts.remove && opts.remove(f) ? el("button", { className: "btn btn-small", type: "button",
          text: k("remove_flag"), onclick: function () { opts.onRemove(f); } }) : null);
    })));
  }

  /* ------------------------------------------------------------------ console */

  var consoleForm = { editing: null };
  function act(live, event, payload, errorId) {
    return live.send(event, payload).then(function (ack) {
      setText(errorId || "kaders-error", ack && !ack.ok ? P.errorMessage(ack.error) : "");
      return ack;
    });
  }

  function renderParties(live) {
    var list = $("parties");
    list.textContent = "";
    var parties = live.views.parties || [];
    if (!parties.length) list.appendChild(el("li", { className: "muted", text: k("no_parties") }));
    parties.forEach(function (party) {
      var link = el("input", { type: "text", readonly: true, value: party.link, "aria-label": party.name });
      var rep = party.representative;
      var pending = party.devices.filter(function (d) { return d.status === "pending"; });
      list.appendChild(el("li", { className: "party" },
        el("div", { className: "controls mt0" },
          el("b", { className: "grow", text: party.name }),
          rep ? el("span", { className: "status-pill " + (rep.online ? "on" : ""), text: k("representative", { name: rep.name }) })
            : el("span", { className: "muted", text: k("link_unused") })),
        el("div", { className: "copyrow" }, link,
          el("button", { className: "btn btn-small", type: "button", text: k("copy"), onclick: function (e) {
            link.select();
            if (navigator.clipboard) navigator.clipboard.writeText(party.link);
            e.target.textContent = k("copied");
          } }),
          el("button", { className: "btn btn-small", type: "button", text: k("renew_link"), onclick: function () {
            P.confirm({ title: k("renew_title", { party: party.name }), body: [k("confirm_renew")],
              confirm: k("renew_link"), danger: true }).then(function (yes) {
              if (yes) act(live, "party.renew", { id: party.id });
            });
          } })),
        pending.map ? el.apply(null, ["div", null].concat(pending.map(function (d) {
          return el("p", { className: "notice controls" }, el("span", { className: "grow", text: k("device_waiting") }),
            el("button", { className: "btn btn-small btn-primary", type: "button", text: k("allow"),
              onclick: function () { act(live, "party.approve_device", { id: d.id }); } }),
            el("button", { className: "btn btn-small btn-danger", type: "button", text: k("refuse"),
              onclick: function () { act(live, "party.refuse_device", { id: d.id }); } }));
        }))) : null));
    });
    var select = $("framework-party");
    var chosen = select.value;
    select.textContent = "";
    select.appendChild(el("option", { value: "", text: k("no_party") }));
    parties.forEach(function (p) { select.appendChild(el("option", { value: String(p.id), text: p.name })); });
    select.value = chosen;
  }

  function renderConsoleFrameworks(live, meeting) {
    var view = live.views.frameworks || {};
    var list = $("framework-list");
    list.textContent = "";
    var items = frameworks(live);
    setText("frameworks-state", view.locked ? "(" + k("locked") + ")" : "(" + k("draft") + ")");
    $("framework-lock").hidden = !!view.locked;
    if (!items.length) list.appendChild(el("li", { className: "muted", text: k("none") }));
    items.forEach(function (f) {
      var shown = view.shown_id === f.id;
      var history = (f.versions || []).length > 1 ? el("details", null, el("summary", { text: k("history") }),
        el.apply(null, ["ol", { className: "plain" }].concat(f.versions.slice(0, -1).map(function (v) {
          return el("li", null, el("b", { text: v.number + ". " + v.title }), el("p", { className: "pre-line muted", text: v.description }));
        })))) : null;
      list.appendChild(el("li", { className: "card-item" + (shown ? " shown" : "") },
        el("div", { className: "controls mt0" },
          el("b", { className: "grow", text: f.number + ". " + f.title }), versionBadge(f)),
        el("p", { className: "muted m0", text: frameworkLabel(f) }),
        el("p", { className: "pre-line", text: f.description }),
        history,
        el("div", { className: "controls mt0" },
          el("button", { className: "btn btn-small", type: "button", text: t("ui", "edit"), onclick: function () {
            consoleForm.editing = f.id;
            $("framework-title").value = f.title;
            $("framework-description").value = f.description;
            $("framework-party").value = f.party_id ? String(f.party_id) : "";
            $("framework-party").disabled = !!view.locked;
            setText("framework-submit", k("edit"));
            $("framework-title").focus();
          } }),
          view.locked ? null : el("button", { className: "btn btn-small btn-danger", type: "button", text: k("delete"), onclick: function () {
            P.confirm({ title: k("confirm_delete", { title: f.title }), body: [k("delete_final")],
              confirm: k("delete"), danger: true }).then(function (yes) {
              if (yes) act(live, "framework.delete", { id: f.id });
            });
          } }),
          view.locked && meeting.phase !== "welcome" ? el("button", { className: "btn btn-small" + (shown ? " btn-primary" : ""), type: "button",
            text: shown ? t("ui", "hide_from_beamer") : t("ui", "show_on_beamer"),
            onclick: function () { act(live, "framework.show", { id: shown ? null : f.id }); } }) : null)));
    });
  }

  function renderConsoleFlags(live) {
    var box = $("flag-list");
    box.textContent = "";
    var open = proposals(live);
    var fw = frameworks(live);
    var props = $("flag-proposal"), kad = $("flag-framework");
    var p0 = props.value, k0 = kad.value;
    props.textContent = ""; kad.textContent = "";
    open.forEach(function (p) { props.appendChild(el("option", { value: String(p.id), text: p.title })); });
    fw.forEach(function (f) { kad.appendChild(el("option", { value: String(f.id), text: f.number + ". " + f.title })); });
    if (p0) props.value = p0;
    if (k0) kad.value = k0;
    var byProposal = {};
    flags(live).forEach(function (f) { byProposal[f.proposal_id] = true; });
    Object.keys(byProposal).forEach(function (pid) {
      var p = live.views["proposal:" + pid];
      box.appendChild(el("li", null, el("b", { text: p ? p.title : "#" + pid }),
        flagNotes(live, parseInt(pid, 10), { remove: function () { return true; },
          onRemove: function (f) { act(live, "framework.unflag", { id: f.id }); } })));
    });
    $("flag-form").hidden = !(live.views.frameworks || {}).locked || !open.length || !fw.length;
  }

  function checkTable(live, opts) {
    var c = check(live), fw = frameworks(live), items = agreements(live);
    var entries = entryMap(c);
    var head = el.apply(null, ["tr", null, el("th", { scope: "col" }, el("span", { className: "visually-hidden", text: k("agreement_col") }))].concat(fw.map(function (f) {
      return el("th", { scope: "col", text: f.number + ". " + f.title });
    })));
    var rows = items.map(function (a, i) {
      return el.apply(null, ["tr", null, el("th", { scope: "row", text: (i + 1) + ". " + a.title })].concat(fw.map(function (f) {
        var e = entries[a.id + ":" + f.id];
        var state = !e ? "open" : (!e.current ? "stale" : e.verdict);
        var mark = { open: "…", stale: "?", fits: "✓", does_not_fit: "✗" }[state];
        var cell = el("td", { className: "cell " + state, title: e ? (e.explanation || k(e.verdict)) : k("not_checked") },
          el("span", { className: "mark", "aria-hidden": "true", text: mark }),
          el("span", { className: "visually-hidden", text: e ? k(e.verdict) : k("not_checked") }));
        if (opts && opts.onCell) {
          cell.appendChild(el("button", { className: "btn btn-small", type: "button", text: k("record"),
            onclick: function () { opts.onCell(a, f, e); } }));
        }
        return cell;
      })));
    });
    return el("table", { className: "check-matrix" }, el("thead", null, head), el.apply(null, ["tbody", null].concat(rows)));
  }

  function renderConsoleCheck(live, meeting) {
    var c = check(live);
    var panel = $("check-panel");
    panel.hidden = !c || meeting.walk.indexOf("framework_check") < 0;
    if (panel.hidden) return;
    setText("check-status", statusText(c) + " " + k("progress", { done: c.total - c.missing, total: c.total }));
    $("check-status").className = "check-status " + c.status;
    var box = $("check-matrix");
    box.textContent = "";
    box.appendChild(checkTable(live, { onCell: function (a, f, e) {
      setText("behalf-target", a.title + " × " + f.number + ". " + f.title + " (" + frameworkLabel(f) + ")");
      $("behalf-agreement").value = String(a.id);
      $("behalf-framework").value = String(f.id);
      $("behalf-framework").setAttribute("data-version", String(f.version));
      $("behalf-verdict").value = e ? e.verdict : "fits";
      $("behalf-explanation").value = e ? e.explanation : "";
      $("behalf-form").hidden = false;
      $("behalf-explanation").focus();
    } }));
    var ag = $("followup-agreement"), chosen = ag.value;
    ag.textContent = "";
    ag.appendChild(el("option", { value: "", text: k("general") }));
    agreements(live).forEach(function (a, i) { ag.appendChild(el("option", { value: String(a.id), text: (i + 1) + ". " + a.title })); });
    var notFit = c.not_fitting.map(function (n) { return n.agreement_id; });
    ag.value = chosen || (notFit.length ? String(notFit[0]) : "");
    var nf = $("not-fitting");
    nf.textContent = "";
    c.not_fitting.forEach(function (n) {
      var f = byId(frameworks(live))[n.framework_id];
      nf.appendChild(el("li", null, el("b", { text: n.title }), " ✗ ", el("span", { text: f ? f.title : "" }),
        el("p", { className: "pre-line m0", text: n.explanation })));
    });
    var list = $("followups");
    list.textContent = "";
    if (!c.followups.length) list.appendChild(el("li", { className: "muted", text: k("no_followups") }));
    var titles = byId(agreements(live));
    c.followups.forEach(function (f) {
      list.appendChild(el("li", { className: "controls mt0" },
        el("span", { className: "grow", text: f.number + ". " + f.what + " — " + f.who + " — " + f.when +
          (f.agreement_id && titles[f.agreement_id] ? " (" + titles[f.agreement_id].title + ")" : "") }),
        el("button", { className: "btn btn-small btn-danger", type: "button", text: k("delete"),
          onclick: function () { act(live, "followup.delete", { id: f.id }, "check-error"); } })));
    });
  }

  function bindConsole(live) {
    $("party-form").addEventListener("submit", function (e) {
      e.preventDefault();
      act(live, "party.invite", { name: $("party-name").value }).then(function (ack) { if (ack.ok) $("party-name").value = ""; });
    });
    function resetForm() {
      consoleForm.editing = null;
      $("framework-title").value = ""; $("framework-description").value = "";
      $("framework-party").disabled = false;
      setText("framework-submit", k("new"));
    }
    $("framework-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var party = $("framework-party").value;
      var payload = { title: $("framework-title").value, description: $("framework-description").value };
      if (consoleForm.editing) payload.id = consoleForm.editing;
      if (party) payload.party_id = parseInt(party, 10);
      else if (consoleForm.editing) payload.party_id = 0;  // the facilitators' own kader
      act(live, "framework.save", payload).then(function (ack) { if (ack.ok) resetForm(); });
    });
    $("framework-lock").addEventListener("click", function () {
      var count = frameworks(live).length;
      P.confirm({ title: k("lock"), body: [k("confirm_lock"), t("kaders", "lock_count", { n: count })],
        confirm: k("lock") }).then(function (yes) { if (yes) act(live, "framework.lock", {}); });
    });
    $("flag-form").addEventListener("submit", function (e) {
      e.preventDefault();
      act(live, "framework.flag", { proposal_id: parseInt($("flag-proposal").value, 10),
        framework_id: parseInt($("flag-framework").value, 10), note: $("flag-note").value })
        .then(function (ack) { if (ack.ok) $("flag-note").value = ""; });
    });
    $("behalf-form").addEventListener("submit", function (e) {
      e.preventDefault();
      act(live, "check.record", { agreement_id: parseInt($("behalf-agreement").value, 10),
        framework_id: parseInt($("behalf-framework").value, 10), verdict: $("behalf-verdict").value,
        framework_version: parseInt($("behalf-framework").getAttribute("data-version"), 10) || null,
        explanation: $("behalf-explanation").value }, "check-error").then(function (ack) {
        if (ack.ok) $("behalf-form").hidden = true;
      });
    });
    $("followup-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var about = $("followup-agreement").value;
      act(live, "followup.add", { agreement_id: about ? parseInt(about, 10) : null,
        what: $("followup-what").value, who: $("followup-who").value, when: $("followup-when").value }, "check-error")
        .then(function (ack) {
          if (ack.ok) ["followup-what", "followup-who", "followup-when"].forEach(function (id) { $(id).value = ""; });
        });
    });
  }

  var consoleBound = false;
  function renderConsole(live, meeting) {
    if (!$("kaders-panel")) return;
    if (!consoleBound) { consoleBound = true; bindConsole(live); }
    renderParties(live);
    renderConsoleFrameworks(live, meeting);
    renderConsoleFlags(live);
    renderConsoleCheck(live, meeting);
  }

  /* ------------------------------------------------------------------ beamer */

  /* Returns true when a kader view fills the main area. */
  function renderBeamer(live, meeting) {
    var view = live.views.frameworks || {};
    var items = frameworks(live);
    var shown = meeting.phase === "framing" && view.shown_id ? byId(items)[view.shown_id] : null;
    $("framework-view").hidden = !shown;
    if (shown) {
      setText("framework-kicker", k("kader_n_of", { n: shown.number, total: items.length }) + " · " + frameworkLabel(shown));
      setText("framework-title", shown.title);
      setText("framework-text", shown.description);
      $("framework-text").className = "pre-line" + (shown.description.length > 600 ? " long" : "");
    }
    var checking = meeting.phase === "framework_check";
    $("check-view").hidden = !checking;
    if (checking) {
      var c = check(live);
      var box = $("check-board");
      box.textContent = "";
      if (c) {
        setText("check-progress", k("progress", { done: c.total - c.missing, total: c.total }));
        var result = $("check-outcome");
        result.className = "beamer-outcome " + c.status;
        setText(result, statusText(c));
        box.appendChild(checkTable(live));
        var nf = $("check-reasons");
        nf.textContent = "";
        c.not_fitting.forEach(function (n) {
          var f = byId(items)[n.framework_id];
          nf.appendChild(el("li", null, el("b", { text: n.title + " ✗ " + (f ? f.title : "") }),
            el("span", { className: "pre-line", text: " — " + n.explanation })));
        });
        var fu = $("check-followups");
        fu.textContent = "";
        $("check-followups-block").hidden = !c.followups.length;
        c.followups.forEach(function (f) {
          fu.appendChild(el("li", { text: f.what + " — " + f.who + " — " + f.when }));
        });
      }
    }
    return !!shown || checking;
  }

  /* ------------------------------------------------------------------ phone */

  var openKaders = {};  // kader id -> opened by the reader, kept across redraws
  function renderPhone(live, meeting) {
    var view = live.views.frameworks || {};
    var items = frameworks(live);
    var card = $("kaders-card");
    if (!card) return;
    card.hidden = !view.locked || !items.length || meeting.phase === "welcome";
    var list = $("kaders-list");
    list.textContent = "";
    items.forEach(function (f) {
      var open = openKaders[f.id] !== undefined ? openKaders[f.id]
        : (meeting.phase === "framing" && view.shown_id === f.id);
      list.appendChild(el("details", { open: open,
        ontoggle: function (e) { openKaders[f.id] = e.target.open; } },
        el("summary", { text: f.number + ". " + f.title }),
        el("p", { className: "hint", text: frameworkLabel(f) + (f.changed_after_lock ? " · " + k("changed_after_lock") : "") }),
        el("p", { className: "pre-line", text: f.description })));
    });
    var c = check(live);
    var result = $("kader-result-card");
    result.hidden = !c || c.status === "none" || ["framework_check", "signing", "closed"].indexOf(meeting.phase) < 0;
    if (!result.hidden) {
      setText("kader-result", statusText(c));
      setText("kader-progress", k("progress", { done: c.total - c.missing, total: c.total }));
      var nf = $("kader-not-fitting");
      nf.textContent = "";
      c.not_fitting.forEach(function (n) {
        nf.appendChild(el("li", null, el("b", { text: n.title }), el("p", { className: "pre-line m0", text: n.explanation })));
      });
    }
  }

  P.kaders = {
    frameworks: frameworks, agreements: agreements, check: check, flags: flags, entryMap: entryMap,
    proposals: proposals, flagNotes: flagNotes, statusText: statusText, frameworkLabel: frameworkLabel,
    versionBadge: versionBadge, byId: byId, checkTable: checkTable,
    console: renderConsole, beamer: renderBeamer, phone: renderPhone,
  };
})();
