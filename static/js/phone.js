/* The phone: join with a name and a group, then follow the meeting. */
(function () {
  "use strict";
  var P = window.Plandag, t = P.t, setText = P.setText;
  var $ = function (id) { return document.getElementById(id); };
  var live = null;
  var el = P.el;
  var editing = null;  // id of the own contribution being edited
  var picked = null;  // the recognition answer chosen but maybe not sent
  var prefilled = null;  // the check whose saved comment was put in the box
  var TEXT_MAX = 1000;

  function show(view) {
    ["join-view", "meeting-view", "removed-view"].forEach(function (id) { $(id).hidden = id !== view; });
  }

  function render() {
    var you = live.you;
    if (you && you.removed) { show("removed-view"); return; }
    var meeting = live.views.meeting;
    if (!meeting) return;
    show("meeting-view");
    setText("meeting-title", meeting.title);
    setText("step", P.stepText(meeting));
    setText("phase", t("phases", meeting.phase));
    setText("task", t("phone_tasks", meeting.phase));
    setText("question", meeting.open_question);
    $("question-card").hidden = !meeting.open_question || meeting.phase === "closed";
    setText("statement", meeting.issue_statement);
    $("statement-card").hidden = meeting.phase !== "framing" || !meeting.issue_statement;
    renderFraming(meeting, you);
    renderSharing(meeting, you);
    renderSpeaking(meeting, you);
    renderProposals(meeting, you);
    renderConsent(meeting, you);
    P.kaders.phone(live, meeting);
    P.signing.render(live, meeting);
    if (you) {
      setText("you-name", you.name);
      setText("you-group", you.group);
      // Informants, framework parties and observers see the role the facilitator gave them.
      setText("you-role", you.role && you.role !== "participant" ? " · " + t("roles", you.role) : "");
    }
  }

  function renderFraming(meeting, you) {
    var framing = meeting.phase === "framing";
    var check = live.views.recognition;
    var card = $("recognition-card");
    card.hidden = !framing || !check;
    if (!card.hidden) {
      var mine = you && you.recognition;
      if (mine && mine.check_id !== check.id) mine = null;  // an answer to an earlier check
      if (prefilled !== check.id) {
        prefilled = check.id;
        picked = null;
        $("recognition-comment").value = mine ? mine.comment || "" : "";
      }
      var chosen = picked || (mine && mine.answer);
      Array.prototype.forEach.call(card.querySelectorAll("[data-answer]"), function (b) {
        b.setAttribute("aria-pressed", String(b.getAttribute("data-answer") === chosen));
        b.disabled = !check.open;
      });
      $("recognition-send").disabled = !check.open;
      $("recognition-comment").disabled = !check.open;
      setText("recognition-status", !check.open ? t("ui", "answer_closed") : (mine ? t("ui", "answer_saved") : ""));
    }
    var info = live.views.info || [];
    $("info-card").hidden = !framing || !info.length;
    var list = $("info-list");
    list.textContent = "";
    info.forEach(function (item) {
      list.appendChild(el("details", null, el("summary", { text: item.title }),
        el("p", { className: "pre-line", text: item.text })));
    });
  }

  function wallItems() {
    var out = [];
    Object.keys(live.views).forEach(function (key) {
      if (key.indexOf("card:") === 0) out.push(live.views[key]);
    });
    out.sort(function (a, b) { return b.id - a.id; });
    return out;
  }

  function renderSharing(meeting, you) {
    var sharing = meeting.phase === "sharing";
    var canWrite = sharing && you && you.role !== "observer";
    $("write-card").hidden = !canWrite;
    $("mine-card").hidden = !sharing || !you || !(you.contributions || []).length;
    $("wall-card").hidden = !sharing;
    setText("prompt", meeting.prompt ? meeting.prompt.text : t("beamer_leads", "sharing"));
    var mine = $("mine");
    mine.textContent = "";
    ((you && you.contributions) || []).forEach(function (c) {
      var actions = c.status === "hidden" ? null : el("div", { className: "card-actions" },
        el("button", { className: "btn btn-small", type: "button", text: t("ui", "edit"),
          onclick: function () { startEdit(c); } }),
        el("button", { className: "btn btn-small btn-danger", type: "button", text: t("ui", "withdraw"),
          onclick: function () { withdraw(c); } }));
      mine.appendChild(el("li", { className: "card status-" + c.status },
        c.text ? el("p", { className: "pre-line", text: c.text }) : null,
        el("p", { className: "hint", text: t("ui", "status_" + c.status) }),
        actions));
    });
    var items = wallItems();
    setText("wall-count", items.length ? "(" + items.length + ")" : "");
    var wall = $("phone-wall");
    wall.textContent = "";
    items.slice(0, 60).forEach(function (c) {
      wall.appendChild(el("li", { className: "card" },
        el("p", { className: "pre-line", text: c.text }),
        el("p", { className: "hint", text: c.author ? c.author + (c.group ? " · " + c.group : "") : t("ui", "anonymous") })));
    });
  }

  function renderSpeaking(meeting, you) {
    var active = meeting.phase !== "welcome" && meeting.phase !== "closed" && you && !you.removed;
    $("speak-card").hidden = !active;
    var queue = you && you.queue;
    $("speak").hidden = !!queue;
    $("speak-cancel").hidden = !queue || queue.status !== "waiting";
    setText("speak-status", !queue ? "" : (queue.status === "speaking"
      ? t("ui", "queue_speaking") : t("ui", "queue_waiting", { n: queue.position })));
    var turn = you && you.round;
    var card = $("turn-card");
    card.hidden = !turn || turn.done;
    if (turn && !turn.done) setText(card, turn.now ? t("ui", "round_now") : t("ui", "round_ahead", { n: turn.ahead }));
    card.classList.toggle("now", !!(turn && turn.now));
  }

  function myTable(you) {
    var tables = (live.views.tables || {}).tables || [];
    var id = you && you.table_id;
    for (var i = 0; i < tables.length; i++) if (tables[i].id === id) return tables[i];
    return null;
  }

  function proposals() {
    var out = [];
    Object.keys(live.views).forEach(function (key) {
      if (key.indexOf("proposal:") === 0 && live.views[key].status !== "merged") out.push(live.views[key]);
    });
    out.sort(function (a, b) { return (a.status === "open" ? 0 : 1) - (b.status === "open" ? 0 : 1) || a.id - b.id; });
    return out;
  }

  function renderProposals(meeting, you) {
    var active = meeting.phase === "proposals";
    var tables = live.views.tables || {};
    var table = myTable(you);
    var seated = tables.active && !!table;
    $("table-card").hidden = !active || !tables.active;
    if (!$("table-card").hidden) {
      setText("table-name", table ? t("ui", "your_table", { name: table.name }) : t("ui", "choose_table"));
      // Whether I host my table comes in my own view; the room may not know who does.
      var isHost = !!(table && you && you.table_host);
      setText("table-host", !table ? "" : (isHost ? t("ui", "you_are_host")
        : (!table.host ? t("ui", "no_host_yet") : (table.host.name ? t("ui", "host_is", { name: table.host.name }) : ""))));
      setText("table-question", table ? (table.four_years ? t("ui", "four_years") : table.question) : "");
      var choices = $("table-choices");
      choices.textContent = "";
      if (tables.strategy === "theme") {
        (tables.tables || []).forEach(function (option) {
          choices.appendChild(el("button", { className: "choice", type: "button", text: option.name,
            "aria-pressed": String(!!table && table.id === option.id),
            onclick: function () {
              live.send("table.choose", { table_id: option.id }).then(function (ack) {
                if (!ack.ok) setText("table-host", P.errorMessage(ack.error));
              });
            } }));
        });
      }
    }
    var canWrite = active && you && you.role !== "observer" &&
      (!tables.active || (seated && !!you.table_host));
    $("propose-card").hidden = !canWrite;
    var voting = meeting.voting || {};
    var items = proposals();
    // While voting is open the list comes first; otherwise writing does.
    var first = voting.open ? $("vote-card") : $("propose-card");
    var second = voting.open ? $("propose-card") : $("vote-card");
    if (first.nextElementSibling !== second) first.parentNode.insertBefore(first, second);
    $("vote-card").hidden = !active && !(voting.open && items.length);
    setText("vote-status", voting.open
      ? (voting.mode === "dots" ? t("ui", "voting_open_dots", { n: you ? you.dots_left : 0 }) : t("ui", "voting_open_simple"))
      : (items.length ? t("ui", "voting_closed") : t("ui", "no_proposals")));
    var list = $("proposals");
    list.textContent = "";
    var votes = (you && you.votes) || {};
    items.forEach(function (p) {
      var mine = votes[String(p.id)] || 0;
      var row = null;
      var mayVote = you && (voting.roles || []).indexOf(you.role) >= 0;
      if (p.status === "open" && voting.open && mayVote) {
        row = el("div", { className: "vote-row" },
          el("button", { className: "btn btn-primary", type: "button", text: t("ui", "support_add"),
            "aria-label": t("ui", "support_add") + ": " + p.title,
            onclick: function () { castVote("vote.give", p.id); } }),
          mine ? el("button", { className: "btn", type: "button", text: t("ui", "support_remove"),
            "aria-label": t("ui", "support_remove") + ": " + p.title,
            onclick: function () { castVote("vote.take_back", p.id); } }) : null);
      }
      list.appendChild(el("li", { className: "card proposal-card " + p.status },
        el("h3", { text: p.title }),
        p.description ? el("p", { className: "pre-line", text: p.description }) : null,
        p.table ? el("p", { className: "hint", text: t("ui", "table_n", { name: p.table }) }) : null,
        p.status === "withdrawn" ? el("p", { className: "hint", text: t("ui", "withdrawn_because", { reason: p.reason || "" }) }) : null,
        P.kaders.flagNotes(live, p.id),
        mine ? el("p", { className: "dots", text: t("ui", "your_support", { n: mine }) }) : null,
        row));
    });
  }

  var consentPick = null;  // the answer chosen but not sent yet
  var consentRound = null;

  function planFields(a) {
    return [a.what, a.who, a.where, a.when].filter(function (x) { return x; }).join(" · ");
  }

  function renderConsent(meeting, you) {
    var round = live.views.consent;
    var mine = you && you.consent;
    var card = $("consent-card");
    card.hidden = !(meeting.phase === "consent" || meeting.phase === "signing") || !round || !mine || mine.round_id !== round.id;
    if (!card.hidden) {
      if (consentRound !== round.id) { consentRound = round.id; consentPick = null; $("consent-text").value = ""; }
      var proposal = round.proposal_id ? live.views["proposal:" + round.proposal_id] : null;
      setText("consent-kicker", t("ui", "round_on"));
      setText("consent-title", proposal ? proposal.title : t("ui", "round_on_plan"));
      setText("consent-description", proposal ? proposal.description : "");
      var chosen = consentPick || mine.answer;
      $("consent-form").hidden = !round.open;
      Array.prototype.forEach.call(card.querySelectorAll("[data-consent]"), function (b) {
        b.setAttribute("aria-pressed", String(b.getAttribute("data-consent") === chosen));
      });
      var needsText = chosen === "concern" || chosen === "objection";
      $("consent-text").hidden = $("consent-text-label").hidden = !needsText;
      setText("consent-text-label", chosen === "objection" ? t("ui", "objection_label") : t("ui", "concern_label"));
      $("consent-asked").hidden = !(round.open && mine.asked && mine.answer === "objection" && !mine.withdrawn);
      var status = "";
      if (!round.open) status = round.outcome === "adopted" ? t("ui", "outcome_adopted") : t("ui", "outcome_open");
      else if (mine.withdrawn) status = t("ui", "objection_withdrawn");
      else if (mine.answer) status = t("ui", "your_answer", { answer: t("ui", "consent_" + mine.answer) });
      setText("consent-status", status);
    }
    var plan = live.views.agreements || { items: [] };
    var showPlan = ["consent", "framework_check", "signing", "closed"].indexOf(meeting.phase) >= 0 && plan.items.length;
    $("plan-card").hidden = !showPlan;
    var list = $("plan");
    list.textContent = "";
    plan.items.forEach(function (a) {
      list.appendChild(el("li", { className: "card" }, el("b", { text: a.title }),
        planFields(a) ? el("p", { className: "hint", text: planFields(a) }) : null));
    });
    setText("plan-followup", plan.followup ? t("ui", "followup_label") + " " + plan.followup : "");
    setText("plan-evaluation", plan.evaluation ? t("ui", "evaluation_label") + " " + plan.evaluation : "");
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-consent]"), function (button) {
    button.addEventListener("click", function () { consentPick = button.getAttribute("data-consent"); render(); });
  });
  $("consent-send").addEventListener("click", function () {
    var round = live.views.consent;
    var mine = live.you && live.you.consent;
    var answer = consentPick || (mine && mine.answer);
    var node = $("consent-error");
    if (!answer) { node.hidden = false; setText(node, t("ui", "pick_consent")); return; }
    $("consent-send").disabled = true;
    live.send("consent.answer", { round_id: round.id, answer: answer,
      text: answer === "consent" ? "" : $("consent-text").value }).then(function (ack) {
      $("consent-send").disabled = false;
      node.hidden = ack.ok;
      setText(node, ack.ok ? "" : P.errorMessage(ack.error));  // what was typed stays
      if (ack.ok) consentPick = null;
      render();
    });
  });
  ["consent-withdraw", "consent-keep"].forEach(function (id) {
    $(id).addEventListener("click", function () {
      live.send(id === "consent-withdraw" ? "consent.withdraw" : "consent.keep",
        { round_id: live.views.consent.id }).then(function (ack) {
        if (!ack.ok) setText("consent-status", P.errorMessage(ack.error));
      });
    });
  });

  function castVote(event, proposalId) {
    live.send(event, { proposal_id: proposalId }).then(function (ack) {
      var node = $("vote-error");
      node.hidden = ack.ok;
      setText(node, ack.ok ? "" : P.errorMessage(ack.error));
    });
  }

  $("propose-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var fields = {};
    ["title", "description", "what", "who", "where", "when"].forEach(function (name) {
      fields[name] = $("proposal-" + name).value;
    });
    var node = $("propose-error");
    $("propose-send").disabled = true;
    live.send("proposal.create", fields).then(function (ack) {
      $("propose-send").disabled = false;
      node.hidden = ack.ok;
      setText(node, ack.ok ? "" : P.errorMessage(ack.error));  // on error the form keeps its text
      if (!ack.ok) return;
      ["title", "description", "what", "who", "where", "when"].forEach(function (name) { $("proposal-" + name).value = ""; });
      setText("propose-status", t("ui", "proposal_sent"));
    });
  });

  function counter() {
    var length = $("contribution").value.trim().length;
    var node = $("counter");
    setText(node, length + " / " + TEXT_MAX);
    node.classList.toggle("over", length > TEXT_MAX);
  }

  function writeError(message) {
    var node = $("write-error");
    node.hidden = !message;
    setText(node, message || "");
  }

  function startEdit(c) {
    editing = c.id;
    $("contribution").value = c.text;
    setText("write-send", t("ui", "save"));
    $("write-cancel").hidden = false;
    counter();
    $("contribution").focus();
  }

  function stopEdit() {
    editing = null;
    $("contribution").value = "";
    setText("write-send", t("ui", "share"));
    $("write-cancel").hidden = true;
    counter();
  }

  function withdraw(c) {
    if (!window.confirm(t("ui", "confirm_withdraw"))) return;
    live.send("contribution.withdraw", { id: c.id }).then(function (ack) {
      writeError(ack.ok ? "" : P.errorMessage(ack.error));
    });
  }

  $("contribution").addEventListener("input", counter);
  $("write-cancel").addEventListener("click", stopEdit);
  $("write-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var text = $("contribution").value;
    var button = $("write-send");
    button.disabled = true;
    writeError("");
    var request = editing === null
      ? live.send("contribution.create", { text: text })
      : live.send("contribution.edit", { id: editing, text: text });
    request.then(function (ack) {
      button.disabled = false;
      if (!ack.ok) { writeError(P.errorMessage(ack.error)); return; }  // the text stays in the box
      setText("write-status", editing === null ? t("ui", "shared") : t("ui", "saved"));
      stopEdit();
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-answer]"), function (button) {
    button.addEventListener("click", function () {
      picked = button.getAttribute("data-answer");
      render();
    });
  });
  $("recognition-send").addEventListener("click", function () {
    var check = live.views.recognition;
    var mine = live.you && live.you.recognition;
    if (mine && mine.check_id !== check.id) mine = null;
    var answer = picked || (mine && mine.answer);
    var node = $("recognition-error");
    if (!answer) { node.hidden = false; setText(node, t("ui", "pick_answer")); return; }
    live.send("recognition.answer", { check_id: check.id, answer: answer,
      comment: $("recognition-comment").value }).then(function (ack) {
      node.hidden = ack.ok;
      setText(node, ack.ok ? "" : P.errorMessage(ack.error));
      if (ack.ok) picked = null;
      render();
    });
  });
  $("speak").addEventListener("click", function () {
    live.send("queue.request", {}).then(function (ack) {
      if (!ack.ok) setText("speak-status", P.errorMessage(ack.error));
    });
  });
  $("speak-cancel").addEventListener("click", function () {
    live.send("queue.cancel", {}).then(function (ack) {
      if (!ack.ok) setText("speak-status", P.errorMessage(ack.error));
    });
  });

  function status(state) {
    var node = $("connection");
    node.querySelector(".dot").className = "dot" + (state === "online" ? " on" : "");
    setText(node.querySelector(".label"), t("ui", state === "online" ? "online" : "connecting"));
    $("offline").hidden = state !== "offline" || !live || !live.you;
  }

  function start() {
    live = new P.Live({
      auth: { audience: "phone", code: P.boot.code },
      render: render,
      onStatus: status,
      onClosed: function () { if (live.you && live.you.removed) show("removed-view"); },
      onRefused: function (error) {
        if (error.code === "participant.removed") { live.stopped = true; live.socket.disconnect(); show("removed-view"); }
        else if (error.code === "auth.not_joined") { live.stopped = true; live.socket.disconnect(); show("join-view"); }
      },
    }).connect();
    window.plandagLive = live;
  }

  function joinError(message) {
    var node = $("join-error");
    node.hidden = !message;
    setText(node, message || "");
  }

  $("join-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var picked = document.querySelector("input[name=group]:checked");
    var button = $("join-button");
    button.disabled = true;
    joinError("");
    fetch(P.boot.join_url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ name: $("name").value, group: picked ? picked.value : null }),
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false, error: { code: "server.error" } }; });
    }).then(function (body) {
      button.disabled = false;
      if (!body.ok) { joinError(P.errorMessage(body.error)); return; }
      if (live) { live.stopped = false; live.socket.connect(); } else start();
      live.you = body.you;
      show("meeting-view");
    }).catch(function () {
      button.disabled = false;
      joinError(t("ui", "offline"));
    });
  });

  if (P.boot.joined) start();
  else if (!document.getElementById("ended-view")) show("join-view");
})();
