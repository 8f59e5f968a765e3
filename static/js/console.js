/* The facilitator's console: phase control, timer, participants with live presence. */
(function () {
  "use strict";
  /* The plan's answers to the Alle Hens questions, and when and where (plan.update). */
  var PLAN_FIELDS = ["followup", "followup_date", "followup_place", "evaluation", "evaluation_date", "evaluation_place"];
  var P = window.Plandag, el = P.el, t = P.t, tn = P.tn, setText = P.setText, $ = P.$;
  var rows = {};  // participant id -> <li>, reused across renders
  var layout = "";  // groups and their members' ids, as last drawn
  var awaitVersion = 0;  // a phase move was acknowledged; keep buttons off until it shows
  var live;

  function participants() {
    var out = P.items(live.views, "participant:");
    out.sort(function (a, b) { return shown(a).localeCompare(shown(b)) || a.id - b.id; });
    return out;
  }

  /* A person as the room and the record show them: two Fatimas are told apart. */
  function shown(p) { return p.label || p.name; }

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
    // aria-disabled, not disabled: a disabled button drops the keyboard focus to <body>,
    // so after "next phase" a screen reader would hear nothing and Enter would do nothing.
    setDisabled(advance, moving || !!meeting.advance_blocked);
    setDisabled(back, moving || !!meeting.back_blocked);
    if (lastAnnounced !== null && lastAnnounced !== meeting.phase) {
      setText("phase-announce", t("ui", "phase_now", { phase: t("phases", meeting.phase) }));
    }
    lastAnnounced = meeting.phase;
    var blocked = meeting.advance_blocked;
    setText("blocked", blocked && blocked.code !== "phase.at_end"
      ? t("errors", blocked.code, blocked.params) : "");
    setText("open-question", meeting.open_question);
  }

  var lastAnnounced = null;
  /* A live region says a text once: only when it changed (the lists are redrawn often). */
  function announce(id, text) { var node = $(id); if (node && node.textContent !== text) node.textContent = text; }
  function setDisabled(button, off) {
    if (off) button.setAttribute("aria-disabled", "true"); else button.removeAttribute("aria-disabled");
  }
  function isDisabled(button) { return button.getAttribute("aria-disabled") === "true"; }

  function personRow(p) {
    var li = rows[p.id];
    if (!li) {
      var role = el("select", { "aria-label": t("ui", "role") + " " + shown(p), onchange: function (e) {
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
        "aria-label": t("ui", "remove") + " " + shown(p),
        onclick: function () {
          var current = live.views["participant:" + p.id] || p;
          P.confirm({
            title: t("ui", "remove_title", { name: shown(current) }),
            body: [t("ui", "confirm_remove", { name: shown(current), group: current.group })],
            confirm: t("ui", "remove_confirm"), danger: true,
          }).then(function (yes) {
            if (yes) live.send("participant.remove", { participant_id: p.id }).then(showError);
          });
        } });
      li = el("li", { "data-id": p.id }, el("span", { className: "dot", "aria-hidden": "true" }),
        el("span", { className: "visually-hidden presence" }), el("span", { className: "name" }),
        el("span", { className: "lang-tag" }), role, remove);
      rows[p.id] = li;
    }
    li.className = p.removed ? "removed" : "";
    li.querySelector(".dot").className = "dot" + (p.online && !p.removed ? " on" : "");
    li.querySelector(".dot").title = p.online ? t("ui", "person_online") : t("ui", "person_offline");
    setText(li.querySelector(".presence"), (p.online && !p.removed ? t("ui", "person_online") : t("ui", "person_offline")) + ": ");
    var tag = li.querySelector(".lang-tag");
    setText(tag, p.language ? p.language.toUpperCase() : "");
    tag.title = p.language ? (P.strings.languages[p.language] || p.language) : "";
    tag.hidden = !p.language;
    setText(li.querySelector(".name"), shown(p) + (p.removed ? " (" + t("ui", "removed") + ")" : ""));
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

  var lastPhase = null;
  function openPanelFor(phase) {
    if (phase === lastPhase) return;
    lastPhase = phase;
    if (phase === "framing") $("framing-panel").open = true;
    if (phase === "sharing") $("sharing-panel").open = true;
    if (phase === "proposals") $("proposals-panel").open = true;
    if (phase === "consent") $("consent-panel").open = true;
    if (phase === "welcome") $("kaders-panel").open = true;
    if (phase === "framework_check") $("check-panel").open = true;
  }

  function act(event, payload) {
    // A menu that sent an action lets go of the focus, so its list can redraw.
    if (document.activeElement && document.activeElement.tagName === "SELECT") document.activeElement.blur();
    return live.send(event, payload).then(function (ack) { showError(ack); return ack; });
  }

  function button(text, onclick, extra) {
    return el("button", Object.assign({ className: "btn btn-small", type: "button", text: text, onclick: onclick }, extra || {}));
  }

  function renderFraming(meeting) {
    var statement = $("statement-text");
    if (document.activeElement !== statement && statement.dataset.shown !== meeting.issue_statement) {
      statement.value = meeting.issue_statement;
      statement.dataset.shown = meeting.issue_statement;
    }
    var tally = live.views.recognition_tally;
    if (tally && tally.statement_number !== meeting.statement_number) tally = null;
    var check = live.views.recognition;
    setText("recognition-toggle", check && check.open ? t("ui", "close_check") : t("ui", "open_check"));
    setText("statement-version", "(" + t("ui", "version_n", { n: meeting.statement_number }) + ")");
    var box = $("recognition-result");
    box.textContent = "";
    if (tally) {
      var bars = el("div", { className: "mini-bars" });
      var total = Math.max(1, tally.answered);
      ["yes", "partly", "no"].forEach(function (key) {
        var fill = el("div", { className: "fill" });
        fill.style.width = Math.round((100 * tally.tally[key]) / total) + "%";
        bars.appendChild(el("span", { text: t("ui", "recognition_" + key) }));
        bars.appendChild(el("div", { className: "track" }, fill));
        bars.appendChild(el("span", { text: String(tally.tally[key]) }));
      });
      box.appendChild(el("p", { className: "muted", text: tn("ui", "answered_n", tally.answered) + (tally.open ? "" : " · " + t("ui", "check_closed")) }));
      box.appendChild(bars);
      var comments = el("ul", { className: "plain" });
      (tally.comments || []).forEach(function (c) {
        comments.appendChild(el("li", null, el("b", { text: t("ui", "recognition_" + c.answer) }),
          el("span", { className: "grow", text: c.comment }), el("span", { className: "muted", text: P.who(c.name, c.group) })));
      });
      box.appendChild(comments);
    }
    var list = $("info-items");
    list.textContent = "";
    (live.views.info || []).forEach(function (item) {
      var shown = meeting.shown_info_id === item.id;
      list.appendChild(el("li", { className: shown ? "current" : "" },
        el("span", { className: "grow", text: item.title + (item.informant ? " · " + item.informant : "") }),
        button(shown ? t("ui", "hide_from_beamer") : t("ui", "show_on_beamer"), function () {
          act("info.show", { id: shown ? null : item.id });
        })));
    });
  }

  function contributionItems() {
    var out = P.items(live.views, "contribution:");
    var rank = { pending: 0, visible: 1, hidden: 2 };
    out.sort(function (a, b) { return (rank[a.status] - rank[b.status]) || (b.id - a.id); });
    return out;
  }

  function renderSharing(meeting) {
    ["set-moderation", "set-anonymity", "set-wall"].forEach(function (id) {
      var select = $(id);
      var value = meeting[select.getAttribute("data-setting")];
      if (document.activeElement !== select && select.value !== value) select.value = value;
    });
    var prompts = $("prompt-select");
    if (document.activeElement === prompts) return renderThemesAndCards(meeting);
    prompts.textContent = "";
    prompts.appendChild(el("option", { value: "", text: "—" }));
    (live.views.prompts || []).forEach(function (p) {
      prompts.appendChild(el("option", { value: String(p.id), text: p.text }));
    });
    prompts.value = meeting.prompt ? String(meeting.prompt.id) : "";
    renderThemesAndCards(meeting);
  }

  function renderThemesAndCards(meeting) {
    var themes = live.views.themes || [];
    var themeList = $("themes");
    themeList.textContent = "";
    themes.forEach(function (theme) {
      themeList.appendChild(el("li", null, el("span", { className: "grow", text: theme.name }),
        button(t("ui", "to_proposal"), function () { act("proposal.create_from", { theme_id: theme.id }); }),
        button(t("ui", "rename"), function () {
          P.dialog({
            title: t("ui", "rename_theme"),
            fields: [{ name: "name", label: t("ui", "theme_name"), value: theme.name, max: 60 }],
            confirm: t("ui", "save"),
            submit: function (v) { return act("theme.rename", { id: theme.id, name: v.name }); },
          });
        })));
    });
    var items = contributionItems();
    var pending = items.filter(function (c) { return c.status === "pending"; }).length;
    setText("contribution-count", "(" + tn("ui", "contributions_n", items.length) +
      (pending ? ", " + tn("ui", "pending_n", pending) : "") + ")");
    var list = $("contributions");
    if (list.contains(document.activeElement) && document.activeElement.tagName === "SELECT") return;
    list.textContent = "";
    items.slice(0, 300).forEach(function (c) {
      var actions = [];
      if (c.status === "pending") actions.push(button(t("ui", "approve"), function () { act("contribution.approve", { id: c.id }); }, { className: "btn btn-small btn-primary" }));
      if (c.status !== "hidden") actions.push(button(t("ui", "hide"), function () {
        P.confirm({
          title: t("ui", "hide_title"),
          body: [el("blockquote", { className: "pre-line", text: c.text }),
            t("ui", "confirm_hide", { name: c.author })],
          confirm: t("ui", "hide_confirm"), danger: true,
        }).then(function (yes) { if (yes) act("contribution.hide", { id: c.id }); });
      }, { className: "btn btn-small btn-danger" }));
      if (c.status === "visible") {
        actions.push(button(t("ui", "to_proposal"), function () { act("proposal.create_from", { contribution_id: c.id }); }));
        var lit = meeting.spotlight_id === c.id;
        actions.push(button(lit ? t("ui", "unspotlight") : t("ui", "spotlight"), function () {
          act("wall.spotlight", { id: lit ? null : c.id });
        }));
      }
      var theme = el("select", { "aria-label": t("ui", "no_theme"), onchange: function (e) {
        act("contribution.move", { id: c.id, theme_id: e.target.value ? parseInt(e.target.value, 10) : null });
      } }, el("option", { value: "", text: t("ui", "no_theme") }));
      themes.forEach(function (th) { theme.appendChild(el("option", { value: String(th.id), text: th.name })); });
      theme.value = c.theme_id ? String(c.theme_id) : "";
      list.appendChild(el("li", { className: c.status },
        el("span", { className: "grow pre-line", text: c.text }),
        el("span", { className: "muted", text: P.who(c.author, c.group) }),
        theme, actions[0], actions[1] || null, actions[2] || null, actions[3] || null));
    });
  }

  function proposalsById() {
    var out = {};
    P.items(live.views, "proposal:").forEach(function (p) { out[p.id] = p; });
    return out;
  }

  var FIELDS = [
    { name: "title", max: 120 },
    { name: "description", max: 2000, multiline: true, rows: 4 },
    { name: "what", max: 300, multiline: true, rows: 2 },
    { name: "who", max: 300 },
    { name: "where", max: 300 },
    { name: "when", max: 300 },
  ];

  /* The amend form: every field with its current value and limit. While a round on
   * this text is open, the form says so: saving closes it as superseded and asks again. */
  function amendDialog(kind, item) {
    var round = live.views.consent;
    var running = round && round.open &&
      (kind === "proposal" ? round.proposal_id === item.id : round.whole_plan);
    var tally = live.views.consent_tally || {};
    var body = [t("ui", kind === "proposal" ? "amend_intro" : "amend_agreement_intro")];
    if (running) {
      body.push(el("p", { className: "notice", text: t("ui", kind === "proposal" ? "amend_supersedes" : "amend_plan_supersedes",
        { answered: tally.answered || 0, eligible: tally.eligible || 0 }) }));
    }
    var event = kind === "proposal" ? "proposal.edit" : "agreement.edit";
    return P.dialog({
      title: t("ui", kind === "proposal" ? "amend_title" : "amend_agreement_title", { title: item.title }),
      body: body,
      fields: FIELDS.map(function (f) {
        return Object.assign({ label: t("ui", "field_" + f.name), value: item[f.name] || "" }, f);
      }),
      confirm: running ? t("ui", "amend_and_ask") : t("ui", "save_version"),
      submit: function (values) {
        // Based on the version shown: a change someone else saved meanwhile is not overwritten.
        var based = kind === "proposal" ? (item.versions && item.versions.length ? item.versions[item.versions.length - 1].number : null) : item.version;
        var payload = Object.assign({ id: item.id, supersede: !!running }, values);
        if (based) payload.based_on = based;
        return act(event, payload).then(function (ack) {
          if (ack.ok || !ack.error || ack.error.code.indexOf("amend_") < 0) return ack;
          // A round opened meanwhile: say so, and let the facilitator decide.
          return P.confirm({ title: t("ui", "amend_title", { title: item.title }),
            body: [P.errorMessage(ack.error)], confirm: t("ui", "amend_and_ask") }).then(function (yes) {
            return yes ? act(event, Object.assign(payload, { supersede: true })) : ack;
          });
        });
      },
    });
  }

  /* What changed from one version to the next, field by field. */
  function changesList(changes) {
    var list = el("ul", { className: "plain changes" });
    FIELDS.forEach(function (f) {
      if (changes && changes[f.name]) {
        list.appendChild(el("li", null, el("b", { text: t("ui", "field_" + f.name) + ": " }), P.diffNode(changes[f.name])));
      }
    });
    return list.childNodes.length ? list : null;
  }

  function renderProposals(meeting) {
    var voting = meeting.voting || {};
    setText("voting-toggle", voting.open ? t("ui", "close_voting") : t("ui", "open_voting"));
    var form = $("voting-form");
    if (!form.contains(document.activeElement)) {
      $("voting-mode").value = voting.mode;
      $("voting-dots").value = voting.mode === "dots" ? voting.dots : 3;
      $("voting-max").value = voting.max_per_proposal;
      $("voting-framework").checked = (voting.roles || []).indexOf("framework_party") >= 0;
      $("voting-observers").checked = (voting.roles || []).indexOf("observer") >= 0;
    }
    var tables = live.views.tables || {};
    var tableList = $("tables-list");
    if (!tableList.contains(document.activeElement)) {
      tableList.textContent = "";
      if (tables.active) {
        (tables.tables || []).forEach(function (table) {
          var host = el("select", { "aria-label": t("ui", "host") + " " + table.name, onchange: function (e) {
            act("table.update", { id: table.id, host_id: parseInt(e.target.value, 10) });
          } }, el("option", { value: "", text: "— " + t("ui", "host") + " —" }));
          (table.members || []).forEach(function (m) {
            host.appendChild(el("option", { value: String(m.id), text: P.who(m.name, m.group) }));
          });
          host.value = table.host ? String(table.host.id) : "";
          tableList.appendChild(el("li", null, el("b", { text: t("ui", "table_n", { name: table.name }) }),
            el("span", { className: "grow muted", text: (table.members || []).map(function (m) { return m.name; }).join(", ") }),
            host));
        });
      }
    }
    var byId = proposalsById();
    var support = {};
    (live.views.ranking || []).forEach(function (r) { support[r.id] = r.support; });
    var shortlist = meeting.shortlist || [];
    var sl = $("shortlist");
    sl.textContent = "";
    shortlist.forEach(function (id, i) {
      var p = byId[id];
      if (!p) return;
      sl.appendChild(el("li", { className: "current" }, el("span", { className: "grow", text: (i + 1) + ". " + p.title }),
        i > 0 ? button(t("ui", "up"), function () {
          var next = shortlist.slice(); next.splice(i, 1); next.splice(i - 1, 0, id);
          act("shortlist.set", { ids: next });
        }) : null,
        button(t("ui", "remove_shortlist"), function () {
          act("shortlist.set", { ids: shortlist.filter(function (x) { return x !== id; }) });
        })));
    });
    var list = $("proposal-list");
    if (list.contains(document.activeElement) && document.activeElement.tagName === "SELECT") return;
    list.textContent = "";
    var all = Object.keys(byId).map(function (k) { return byId[k]; });
    var open = all.filter(function (p) { return p.status !== "merged"; })
      .sort(function (a, b) { return (support[b.id] || 0) - (support[a.id] || 0) || a.id - b.id; });
    if (!open.length) list.appendChild(el("li", { className: "muted", text: t("ui", "no_proposals") }));
    var voting = meeting.voting || {};
    open.forEach(function (p) {
      var controls = [];
      if (p.status === "open") {
        controls.push(button(t("ui", "edit"), function () { amendDialog("proposal", p); }));
        var merge = el("select", { "aria-label": t("ui", "merge_into") + " " + p.title, onchange: function (e) {
          var into = byId[parseInt(e.target.value, 10)];
          if (!into) return;
          e.target.blur();
          // Nothing irreversible on one pick: the dialog names what moves where.
          P.confirm({
            title: t("ui", "merge_title"),
            body: [t("ui", "confirm_merge", { source: p.title, target: into.title }),
              t("ui", voting.open ? "merge_no_undo" : "merge_undo_hint")],
            confirm: t("ui", "merge_confirm"),
          }).then(function (yes) {
            e.target.value = "";
            if (yes) act("proposal.merge", { id: p.id, into: into.id });
            else render();
          });
        } }, el("option", { value: "", text: t("ui", "merge_into") }));
        open.forEach(function (other) {
          if (other.id !== p.id && other.status === "open") merge.appendChild(el("option", { value: String(other.id), text: other.title }));
        });
        controls.push(merge);
        controls.push(button(t("ui", "withdraw"), function () {
          P.dialog({
            title: t("ui", "withdraw_title", { title: p.title }),
            body: [t("ui", "withdraw_intro")],
            fields: [{ name: "reason", label: t("ui", "withdraw_reason"), max: 500, multiline: true }],
            confirm: t("ui", "withdraw_confirm"), danger: true,
            submit: function (v) { return act("proposal.withdraw", { id: p.id, reason: v.reason }); },
          });
        }, { className: "btn btn-small btn-danger" }));
        if (shortlist.indexOf(p.id) < 0) {
          controls.push(button(t("ui", "add_shortlist"), function () { act("shortlist.set", { ids: shortlist.concat([p.id]) }); }, { "data-key": "shortlist:" + p.id }));
        }
      }
      var versions = p.versions || [];
      var history = null;
      if (versions.length > 1) {
        var steps = el("ol", { className: "versions" });
        versions.forEach(function (v) {
          steps.appendChild(el("li", null,
            el("span", { text: t("ui", "version_by", { n: v.number, by: v.by || "?", at: new Date(v.at).toLocaleTimeString(document.documentElement.lang || undefined, { hour: "2-digit", minute: "2-digit", numberingSystem: "latn" }) }) }),
            changesList(v.changes)));
        });
        history = el("details", null, el("summary", { text: tn("ui", "versions_n", versions.length) }), steps);
      }
      var merged = all.filter(function (m) { return m.status === "merged" && m.merged_into === p.id; });
      list.appendChild(el("li", { className: p.status === "open" ? "" : "hidden" },
        el("span", { className: "grow", text: p.title + (p.table ? " · " + t("ui", "table_n", { name: p.table }) : "") +
          (p.status === "withdrawn" ? " — " + t("ui", "withdrawn_because", { reason: p.reason || "" }) : "") }),
        el("b", { text: tn("ui", "support_n", support[p.id] || 0) }),
        controls[0] || null, controls[1] || null, controls[2] || null, controls[3] || null,
        history ? el("div", { className: "full" }, history) : null,
        merged.length ? el("ul", { className: "plain full" }, merged.map(function (m) {
          return el("li", null, el("span", { className: "grow muted", text: t("ui", "merged_here", { title: m.title }) }),
            !m.undo_merge ? null : button(t("ui", "undo_merge"), function () {
              P.confirm({ title: t("ui", "undo_merge"), body: [t("ui", "confirm_unmerge", { source: m.title, target: p.title })],
                confirm: t("ui", "undo_merge") }).then(function (yes) { if (yes) act("proposal.unmerge", { id: m.id }); });
            }));
        })) : null));
    });
  }

  function renderConsent(meeting) {
    var byId = proposalsById();
    var round = live.views.consent;
    var tally = live.views.consent_tally;
    var list = $("consent-proposals");
    list.textContent = "";
    (meeting.shortlist || []).forEach(function (id) {
      var p = byId[id];
      if (!p) return;
      var state = p.consent_status ? " — " + t("ui", p.consent_status) : "";
      // A possible conflict with a kader shows here, before the round is opened.
      list.appendChild(el("li", null, el("span", { className: "grow" }, p.title + state, P.kaders.flagNotes(live, p.id)),
        p.consent_status === "adopted" ? null : button(t("ui", "open_round"), function () { act("consent.open", { proposal_id: p.id }); }, { className: "btn btn-small btn-primary", "data-key": "open-round:" + p.id }),
        p.consent_status === "adopted" ? null : button(t("ui", "amend"), function () { amendDialog("proposal", p); }),
        p.consent_status ? null : button(t("ui", "park"), function () {
          P.confirm({ title: t("ui", "park_title", { title: p.title }), body: [t("ui", "confirm_park")],
            confirm: t("ui", "park") }).then(function (yes) { if (yes) act("proposal.park", { id: p.id }); });
        })));
    });
    var roles = meeting.consent_roles || [];
    $("consent-framework").checked = roles.indexOf("framework_party") >= 0;
    $("consent-observers").checked = roles.indexOf("observer") >= 0;
    var open = round && round.open;
    setDisabled($("consent-close"), !open);
    setDisabled($("consent-plan"), !!open);
    var box = $("consent-round");
    box.textContent = "";
    announce("consent-announce", tally ? t("ui", "answered_of", { answered: tally.answered, eligible: tally.eligible }) +
      (round && !round.open ? " — " + P.outcomeText(round.outcome) : "") : "");
    if (tally) {
      box.appendChild(el("p", null, el("b", { text: t("ui", "answered_of", { answered: tally.answered, eligible: tally.eligible }) }),
        " · " + t("ui", "consent_consent") + " " + tally.consent + " · " + t("ui", "consent_concern") + " " + tally.concern +
        " · " + t("ui", "consent_objection") + " " + tally.objection +
        (round && !round.open ? " — " + P.outcomeText(round.outcome) : "")));
      var objections = el("ul", { className: "plain" });
      tally.objections.forEach(function (o) {
        objections.appendChild(el("li", { className: "pending" }, el("b", { text: o.name }), el("span", { className: "grow", text: o.reason }),
          open && !o.asked ? button(t("ui", "ask_objector"), function () { act("consent.ask", { participant_id: o.participant_id }); }) : null));
      });
      box.appendChild(objections);
      var people = el("ul", { className: "plain" });
      (tally.people || []).forEach(function (p) {
        people.appendChild(el("li", null, el("span", { className: "grow", text: P.who(p.name, p.group) }),
          el("span", { className: p.answer ? "" : "muted", text: p.answer ? t("ui", "consent_" + p.answer) + (p.text ? ": " + p.text : "") : t("ui", "not_answered") })));
      });
      box.appendChild(el("details", null, el("summary", { text: t("ui", "answered_of", { answered: tally.answered, eligible: tally.eligible }) }), people));
      if (open) {
        // A late joiner takes part once the facilitator adds them.
        var inRound = {};
        (tally.people || []).forEach(function (p) { inRound[p.id] = true; });
        var late = el("select", { "aria-label": t("ui", "add_late"), onchange: function (e) {
          var person = live.views["participant:" + e.target.value];
          if (!person) return;
          e.target.blur();
          P.confirm({ title: t("ui", "add_late_title", { name: shown(person) }),
            body: [t("ui", "confirm_add_late", { name: shown(person) })], confirm: t("ui", "add_late_confirm") })
            .then(function (yes) {
              e.target.value = "";
              if (yes) act("consent.add", { participant_id: person.id }); else render();
            });
        } }, el("option", { value: "", text: t("ui", "add_late") }));
        participants().forEach(function (p) {
          if (!p.removed && !inRound[p.id]) late.appendChild(el("option", { value: String(p.id), text: P.who(shown(p), p.group) }));
        });
        if (late.options.length > 1) box.appendChild(late);
      }
    }
    var plan = live.views.agreements || { items: [] };
    var agreements = $("agreements");
    agreements.textContent = "";
    plan.items.forEach(function (a) {
      var meta = [a.what, a.who, a.where, a.when].filter(function (x) { return x; }).join(" · ");
      agreements.appendChild(el("li", null, el("span", { className: "grow", text: a.title + (meta ? " — " + meta : "") }),
        a.concerns.length ? el("span", { className: "muted", text: t("ui", "concerns") + ": " + a.concerns.join("; ") }) : null,
        plan.adopted ? null : button(t("ui", "edit"), function () { amendDialog("agreement", a); }),
        a.changes ? el("div", { className: "full" }, el("p", { className: "muted", text: t("ui", "changed_after_adoption",
          { n: a.version, by: a.changed_by || "?" }) }), changesList(a.changes)) : null));
    });
    PLAN_FIELDS.forEach(function (name) {
      var node = $("plan-" + name.replace("_", "-") + "-input");
      var value = plan[name] || "";
      if (document.activeElement !== node && node.dataset.shown !== value) { node.value = value; node.dataset.shown = value; }
    });
  }

  function renderSpeaking() {
    var queue = (live.views.queue || {}).requests || [];
    var list = $("queue");
    list.textContent = "";
    var speaking = queue.filter(function (r) { return r.status === "speaking"; })[0];
    announce("queue-announce", queue.length ? t("ui", "queue_status", {
      n: queue.filter(function (r) { return r.status !== "speaking"; }).length,
      who: speaking ? speaking.name : "—" }) : t("ui", "queue_empty"));
    if (!queue.length) list.appendChild(el("li", { className: "muted", text: t("ui", "queue_empty") }));
    queue.forEach(function (r) {
      list.appendChild(el("li", { className: r.status === "speaking" ? "current" : "" },
        el("span", { className: "grow", text: r.name }), el("span", { className: "muted", text: r.group }),
        r.status === "speaking"
          ? button(t("ui", "finish_floor"), function () { act("queue.finish", { id: r.id }); }, { "data-key": "floor:" + r.id })
          : button(t("ui", "give_floor"), function () { act("queue.start", { id: r.id }); }, { className: "btn btn-small btn-primary", "data-key": "floor:" + r.id })));
    });
    var round = live.views.round;
    var order = $("round");
    order.textContent = "";
    ["round-next", "round-skip", "round-end"].forEach(function (id) { setDisabled($(id), !round); });
    if (round) {
      round.order.forEach(function (p, i) {
        order.appendChild(el("li", { className: i === round.position ? "current" : (i < round.position ? "muted" : "") },
          el("span", { className: "grow", text: (i + 1) + ". " + p.name }), el("span", { className: "muted", text: p.group })));
      });
    }
  }

  function renderCounts(counts) {
    if (!counts) return;
    setText("online-count", counts.online);
    setText("joined-count", counts.joined);
    var languages = $("room-languages");
    if (languages) {
      var meetingLang = live.views.meeting && live.views.meeting.language;
      var parts = (counts.languages || []).map(function (l) {
        return (P.strings.languages[l.language] || l.language) + " " + l.joined;
      });
      setText(languages, parts.length ? t("ui", "room_languages", { list: parts.join(" · ") }) : "");
      var others = (counts.languages || []).filter(function (l) { return l.language !== meetingLang; });
      setText("interpretation", others.length ? t("ui", "interpretation_hint") : "");
    }
    var body = $("balance");
    body.textContent = "";
    counts.groups.forEach(function (g) {
      body.appendChild(el("tr", null, el("td", { text: g.group }),
        el("td", { className: "num", text: String(g.joined) }),
        el("td", { className: "num", text: String(g.online) }),
        el("td", { className: "num", text: String(g.contributed) }),
        el("td", { className: "num", text: String(g.spoke) })));
    });
  }

  function render() {
    var meeting = live.views.meeting;
    if (!meeting) return;
    renderPhases(meeting);
    openPanelFor(meeting.phase);
    var pace = $("page-seconds");
    if (document.activeElement !== pace) pace.value = meeting.beamer_page_seconds;
    renderFraming(meeting);
    renderSharing(meeting);
    renderProposals(meeting);
    renderConsent(meeting);
    P.kaders.console(live, meeting);
    P.signing.console(live, meeting);
    renderSpeaking();
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

  function move(event, confirmed) {
    var meeting = live.views.meeting;
    setDisabled($("advance"), true);
    setDisabled($("back"), true);
    var payload = { from: meeting.phase };
    if (confirmed) payload.confirm_no_go = true;
    live.send(event, payload).then(function (ack) {
      if (!ack.ok && ack.error.code === "process.no_go") {
        // A no-go condition is marked in the preparation: starting is a decision the
        // facilitator confirms, and the record says so.
        render();
        var list = document.getElementById("no-go-list");
        P.confirm({ title: t("ui", "no_go_title"),
          body: [ack.error.message].concat(list ? [list.textContent.trim()] : []),
          confirm: t("ui", "start_despite_no_go"), danger: true }).then(function (yes) {
          if (yes) move(event, true); else $("advance").focus();
        });
        return;
      }
      showError(ack);
      if (ack.ok) awaitVersion = ack.version;
      if (!ack.ok && ack.error.code === "phase.stale") live.resync();
      render();
    });
  }

  function status(state) { P.connectionPill($("connection"), state); }

  live = new P.Live({
    auth: { audience: "console", meeting: P.boot.meeting },
    render: P.keepingFocus(render),
    onStatus: status,
    onRefused: function (error) { setText("action-error", P.errorMessage(error)); },
  }).connect();

  $("advance").addEventListener("click", function () { if (!isDisabled($("advance"))) move("phase.advance"); });
  $("back").addEventListener("click", function () { if (!isDisabled($("back"))) move("phase.back"); });
  $("timer-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var minutes = parseInt($("timebox").value, 10);
    live.send("timer.set", { minutes: isNaN(minutes) ? -1 : minutes }).then(showError);
  });
  $("pace-form").addEventListener("submit", function (e) {
    e.preventDefault();
    act("beamer.pace", { seconds: parseInt($("page-seconds").value, 10) || 0 });
  });
  $("renew-beamer").addEventListener("submit", function (e) {
    e.preventDefault();
    var form = e.target;
    P.confirm({ title: t("ui", "renew_beamer_title"), body: [t("ui", "confirm_renew_beamer")],
      confirm: t("ui", "renew_beamer"), danger: true }).then(function (yes) { if (yes) form.submit(); });
  });
  $("timer-clear").addEventListener("click", function () {
    live.send("timer.set", { minutes: null }).then(showError);
  });
  $("statement-revise").addEventListener("click", function () {
    var text = $("statement-text").value;
    var check = live.views.recognition;
    var meeting = live.views.meeting;
    if (!(check && check.open)) { act("statement.revise", { text: text }); return; }
    // Saying so first: the open question closes with its answers and is asked again.
    var tally = live.views.recognition_tally || {};
    P.confirm({
      title: t("ui", "revise_title"),
      body: [tn("ui", "revise_asks_again", tally.answered || 0,
        { version: meeting.statement_number, next: meeting.statement_number + 1 })],
      confirm: t("ui", "revise_and_ask"),
    }).then(function (yes) { if (yes) act("statement.revise", { text: text }); });
  });
  $("recognition-toggle").addEventListener("click", function () {
    var check = live.views.recognition;
    act(check && check.open ? "recognition.close" : "recognition.open", {});
  });
  $("info-form").addEventListener("submit", function (e) {
    e.preventDefault();
    act("info.create", { title: $("info-title").value, text: $("info-text").value }).then(function (ack) {
      if (ack.ok) { $("info-title").value = ""; $("info-text").value = ""; }
    });
  });
  ["set-moderation", "set-anonymity", "set-wall"].forEach(function (id) {
    $(id).addEventListener("change", function (e) {
      var payload = {};
      payload[e.target.getAttribute("data-setting")] = e.target.value;
      act("sharing.settings", payload);
    });
  });
  $("prompt-select").addEventListener("change", function (e) {
    act("prompt.select", { id: e.target.value ? parseInt(e.target.value, 10) : null });
  });
  $("prompt-form").addEventListener("submit", function (e) {
    e.preventDefault();
    act("prompt.create", { text: $("prompt-text").value }).then(function (ack) { if (ack.ok) $("prompt-text").value = ""; });
  });
  $("theme-form").addEventListener("submit", function (e) {
    e.preventDefault();
    act("theme.create", { name: $("theme-name").value }).then(function (ack) { if (ack.ok) $("theme-name").value = ""; });
  });
  $("voting-form").addEventListener("submit", function (e) {
    e.preventDefault();
    act("voting.configure", {
      mode: $("voting-mode").value,
      dots: parseInt($("voting-dots").value, 10) || 0,
      max_per_proposal: parseInt($("voting-max").value, 10) || 0,
      allow_framework: $("voting-framework").checked,
      allow_observers: $("voting-observers").checked,
    });
  });
  $("voting-toggle").addEventListener("click", function () {
    var voting = (live.views.meeting || {}).voting || {};
    act(voting.open ? "voting.close" : "voting.open", {});
  });
  $("tables-form").addEventListener("submit", function (e) {
    e.preventDefault();
    act("tables.split", { strategy: $("tables-strategy").value,
      count: parseInt($("tables-count").value, 10) || 0, four_years: $("tables-four").checked });
  });
  $("tables-plenary").addEventListener("click", function () { act("tables.plenary", {}); });
  ["consent-framework", "consent-observers"].forEach(function (id) {
    $(id).addEventListener("change", function () {
      act("consent.configure", { allow_framework: $("consent-framework").checked,
        allow_observers: $("consent-observers").checked });
    });
  });
  $("consent-plan").addEventListener("click", function () { if (!isDisabled($("consent-plan"))) act("consent.open", { whole_plan: true }); });
  $("consent-publication").addEventListener("click", function () { act("consent.open", { publication: true }); });
  $("consent-close").addEventListener("click", function () {
    if (isDisabled($("consent-close"))) return;
    var tally = live.views.consent_tally || {};
    var round = live.views.consent || {};
    var subject = round.topic === "publication" ? t("ui", "the_publication")
      : (round.whole_plan ? t("ui", "the_plan") : ((live.views["proposal:" + round.proposal_id] || {}).title || ""));
    var standing = tally.objection || 0;
    P.confirm({
      title: t("ui", "close_round_title"),
      body: [t("ui", "answered_of", { answered: tally.answered || 0, eligible: tally.eligible || 0 }),
        standing ? tn("ui", "close_not_adopted", standing, { subject: subject }) : t("ui", "close_adopted", { subject: subject }),
        t("ui", "close_final")],
      confirm: t("ui", "close_round"),
    }).then(function (yes) { if (yes) act("consent.close", {}); });
  });
  $("plan-save").addEventListener("click", function () {
    var round = live.views.consent;
    var payload = {};
    PLAN_FIELDS.forEach(function (name) { payload[name] = $("plan-" + name.replace("_", "-") + "-input").value; });
    if (!(round && round.open && round.whole_plan)) { act("plan.update", payload); return; }
    var tally = live.views.consent_tally || {};
    P.confirm({ title: t("ui", "amend_plan_title"),
      body: [t("ui", "amend_plan_supersedes", { answered: tally.answered || 0, eligible: tally.eligible || 0 })],
      confirm: t("ui", "amend_and_ask") }).then(function (yes) {
      if (yes) act("plan.update", Object.assign(payload, { supersede: true }));
    });
  });
  $("round-start").addEventListener("click", function () { act("round.start", {}); });
  $("round-next").addEventListener("click", function () { if (!isDisabled($("round-next"))) act("round.next", {}); });
  $("round-skip").addEventListener("click", function () { if (!isDisabled($("round-skip"))) act("round.skip", {}); });
  $("round-end").addEventListener("click", function () { if (!isDisabled($("round-end"))) act("round.end", {}); });
  setInterval(tick, 1000);
  window.plandagLive = live;
})();
