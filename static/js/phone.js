/* The phone: join with a name and a group, then follow the meeting.
 *
 * Nothing a person writes is lost: every write goes through the device's outbox (kept
 * across a reload) and is sent, once, when the connection is back; until then the
 * screen says it is waiting. Half-written texts stay in their boxes, also across a
 * reload. The page itself and the last state it saw load from the device when the
 * network is gone (a service worker keeps the page and its assets). */
(function () {
  "use strict";
  var P = window.Plandag, t = P.t, tn = P.tn, setText = P.setText, $ = P.$, el = P.el;
  var live = null;
  var editing = null;  // id of the own contribution being edited
  var picked = null;  // the recognition answer chosen but maybe not sent
  var prefilled = null;  // the check whose saved comment was put in the box
  var TEXT_MAX = 1000;
  var code = P.boot.code;
  var PROPOSAL_FIELDS = ["title", "description", "what", "who", "where", "when"];

  var consentRound = null;
  var drafts = {
    contribution: P.keepDraft($("contribution"), code + ":contribution"),
    // A reason or comment belongs to its round or check: it never carries over to the next.
    recognition: P.keepDraft($("recognition-comment"), function () { return code + ":recognition:" + prefilled; }),
    consent: P.keepDraft($("consent-text"), function () { return code + ":consent:" + consentRound; }),
  };
  PROPOSAL_FIELDS.forEach(function (name) {
    drafts["proposal-" + name] = P.keepDraft($("proposal-" + name), code + ":proposal-" + name);
  });

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
    renderStale();
    renderWaitingCue();
  }

  /* "Shown from this device": the state is the last one seen, with its age. */
  function renderStale() {
    var node = $("stale");
    node.hidden = !live.staleSince;
    if (!live.staleSince) return;
    var minutes = Math.max(0, Math.round((Date.now() - live.staleSince) / 60000));
    var at = new Date(live.staleSince);
    setText(node, tn("ui", "stale_state", minutes, {
      time: ("0" + at.getHours()).slice(-2) + ":" + ("0" + at.getMinutes()).slice(-2),
    }));
  }

  /* A cue at the top when a question waits for this person below the fold. */
  var waitingCard = null;
  function renderWaitingCue() {
    var meeting = live.views.meeting, you = live.you || {};
    var card = null;
    var round = live.views.consent;
    var mine = you.consent;
    if (round && round.open && mine && mine.round_id === round.id && !mine.answer &&
        !live.waiting("consent.answer").length && !$("consent-card").hidden) card = $("consent-card");
    var check = live.views.recognition;
    if (!card && check && check.open && meeting.phase === "framing" && !(you.recognition && you.recognition.check_id === check.id) &&
        !live.waiting("recognition.answer").length && !$("recognition-card").hidden) card = $("recognition-card");
    if (!card && meeting.phase === "signing" && (live.views.signing || {}).open && !you.signature &&
        !live.waiting("signature.sign").length && !$("sign-card").hidden) card = $("sign-card");
    if (card && card !== waitingCard) {
      // said once to a screen reader: a question now waits (the cue shows it to the eye)
      var heading = card.querySelector("h2");
      setText("phone-announce", t("ui", "question_waiting", { title: heading ? heading.textContent.trim() : "" }));
    }
    waitingCard = card;
    updateCue();
  }
  function updateCue() {
    var cue = $("question-cue");
    if (!waitingCard) { cue.hidden = true; return; }
    var box = waitingCard.getBoundingClientRect();
    cue.hidden = box.top < window.innerHeight - 80;  // already in sight
  }
  window.addEventListener("scroll", updateCue, { passive: true });
  window.addEventListener("resize", updateCue);
  $("question-cue").addEventListener("click", function () {
    if (!waitingCard) return;
    waitingCard.scrollIntoView({ behavior: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth", block: "start" });
    var focusable = waitingCard.querySelector("button:not([disabled])");
    if (focusable) focusable.focus({ preventScroll: true });
  });

  /* What the outbox says about a write: waiting to be sent, or refused on arrival. */
  function pendingStatus(event, match) {
    var waiting = live.waiting(event, match);
    if (waiting.length) return { waiting: waiting[waiting.length - 1] };
    var refused = live.refusal(event);
    if (refused && (!match || match(refused.body))) return { refused: refused };
    return {};
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
        $("recognition-comment").value = drafts.recognition.saved() || (mine && mine.comment) || "";
      }
      var state = pendingStatus("recognition.answer", function (b) { return b.check_id === check.id; });
      var chosen = picked || (state.waiting && state.waiting.body.answer) || (mine && mine.answer);
      Array.prototype.forEach.call(card.querySelectorAll("[data-answer]"), function (b) {
        b.setAttribute("aria-pressed", String(b.getAttribute("data-answer") === chosen));
        b.disabled = !check.open;
      });
      $("recognition-send").disabled = !check.open;
      $("recognition-comment").disabled = !check.open;
      var status = !check.open ? t("ui", "answer_closed") : (mine ? t("ui", "answer_saved") : "");
      if (state.waiting) status = t("ui", "waiting_to_send");
      setText("recognition-status", status);
      showError("recognition-error", state.refused ? P.errorMessage(state.refused.error) : "");
    }
    var info = live.views.info || [];
    $("info-card").hidden = !framing || !info.length;
    var list = $("info-list");
    list.textContent = "";
    info.forEach(function (item) {
      list.appendChild(el("details", null, el("summary", { text: item.title }),
        item.informant ? el("p", { className: "muted", text: t("ui", "presented_by", { name: item.informant }) }) : null,
        el("p", { className: "pre-line", text: item.text })));
    });
  }

  function showError(id, message) {
    var node = $(id);
    node.hidden = !message;
    setText(node, message || "");
  }

  function wallItems() {
    var out = P.items(live.views, "card:");
    out.sort(function (a, b) { return b.id - a.id; });
    return out;
  }

  function renderSharing(meeting, you) {
    var sharing = meeting.phase === "sharing";
    var canWrite = sharing && you && you.role !== "observer";
    $("write-card").hidden = !canWrite;
    var waiting = live.waiting("contribution.create").concat(live.waiting("contribution.edit"));
    $("mine-card").hidden = !sharing || !you || !((you.contributions || []).length || waiting.length);
    $("wall-card").hidden = !sharing;
    setText("prompt", meeting.prompt ? meeting.prompt.text : t("beamer_leads", "sharing"));
    var mine = $("mine");
    mine.textContent = "";
    waiting.forEach(function (entry) {
      mine.appendChild(el("li", { className: "card status-waiting" },
        el("p", { className: "pre-line", text: entry.body.text }),
        el("p", { className: "hint", text: t("ui", "waiting_to_send") })));
    });
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
    var refused = live.refusal("contribution.create") || live.refusal("contribution.edit");
    if (refused && !$("write-error").textContent) writeError(P.errorMessage(refused.error));
    var items = wallItems();
    setText("wall-count", items.length ? "(" + items.length + ")" : "");
    var wall = $("phone-wall");
    wall.textContent = "";
    items.slice(0, 60).forEach(function (c) {
      wall.appendChild(el("li", { className: "card" },
        el("p", { className: "pre-line", text: c.text }),
        el("p", { className: "hint", text: c.author ? P.who(c.author, c.group) : t("ui", "anonymous") })));
    });
  }

  function renderSpeaking(meeting, you) {
    var active = meeting.phase !== "welcome" && meeting.phase !== "closed" && you && !you.removed;
    $("speak-card").hidden = !active;
    var queue = you && you.queue;
    var asking = live.waiting("queue.request").length > 0;
    $("speak").hidden = !!queue || asking;
    $("speak-cancel").hidden = !queue || queue.status !== "waiting";
    setText("speak-status", asking ? t("ui", "waiting_to_send") : (!queue ? "" : (queue.status === "speaking"
      ? t("ui", "queue_speaking") : t("ui", "queue_waiting", { n: queue.position }))));
    var turn = you && you.round;
    var card = $("turn-card");
    card.hidden = !turn || turn.done;
    if (turn && !turn.done) setText(card, turn.now ? t("ui", "round_now") : tn("ui", "round_ahead", turn.ahead));
    card.classList.toggle("now", !!(turn && turn.now));
  }

  function myTable(you) {
    var tables = (live.views.tables || {}).tables || [];
    var id = you && you.table_id;
    for (var i = 0; i < tables.length; i++) if (tables[i].id === id) return tables[i];
    return null;
  }

  function proposals() {
    var out = P.items(live.views, "proposal:").filter(function (p) { return p.status !== "merged"; });
    out.sort(function (a, b) { return (a.status === "open" ? 0 : 1) - (b.status === "open" ? 0 : 1) || a.id - b.id; });
    return out;
  }

  function votingText(voting, you, items) {
    if (voting.open) {
      return voting.mode === "dots" ? tn("ui", "voting_open_dots", you ? you.dots_left : 0) : t("ui", "voting_open_simple");
    }
    if (!items.length) return t("ui", "no_proposals");
    return t("ui", voting.ever_opened ? "voting_closed" : "voting_not_started");
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
    var waitingProposals = live.waiting("proposal.create");
    setText("propose-status", waitingProposals.length ? tn("ui", "proposals_waiting", waitingProposals.length) : proposeStatus);
    var voting = meeting.voting || {};
    var items = proposals();
    // While voting is open the list comes first; otherwise writing does.
    var first = voting.open ? $("vote-card") : $("propose-card");
    var second = voting.open ? $("propose-card") : $("vote-card");
    if (first.nextElementSibling !== second) first.parentNode.insertBefore(first, second);
    $("vote-card").hidden = !active && !(voting.open && items.length);
    setText("vote-status", votingText(voting, you, items));
    var list = $("proposals");
    list.textContent = "";
    var votes = (you && you.votes) || {};
    var mayVote = you && (voting.roles || []).indexOf(you.role) >= 0;
    items.forEach(function (p) {
      var mine = votes[String(p.id)] || 0;
      var sending = live.waiting("vote.give", function (b) { return b.proposal_id === p.id; }).length +
        live.waiting("vote.take_back", function (b) { return b.proposal_id === p.id; }).length;
      var row = null;
      if (p.status === "open" && voting.open && mayVote) {
        var simple = voting.mode !== "dots";
        var full = !simple && mine >= voting.max_per_proposal;
        row = el("div", { className: "vote-row" },
          simple && mine ? null : el("button", { className: "btn btn-primary", type: "button", text: t("ui", "support_add"),
            "aria-label": t("ui", "support_add") + ": " + p.title, disabled: full,
            onclick: function () { castVote("vote.give", p.id); } }),
          full ? el("span", { className: "hint", text: tn("ui", "dots_max_here", voting.max_per_proposal) }) : null,
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
        mine ? el("p", { className: "dots", text: voting.mode === "simple" ? t("ui", "you_support") : tn("ui", "your_support", mine) }) : null,
        sending ? el("p", { className: "hint", text: t("ui", "waiting_to_send") }) : null,
        row));
    });
    var refused = live.refusal("vote.give") || live.refusal("vote.take_back");
    showError("vote-error", refused ? P.errorMessage(refused.error) : "");
    // What happened to one's own proposals: merged into another, or withdrawn. Redrawn
    // only when it changes, so a screen reader announces it once.
    var notices = $("proposal-notices");
    var texts = (active || meeting.phase === "consent") ? ((you && you.proposals) || []).map(function (mineP) {
      var into = mineP.merged_into ? live.views["proposal:" + mineP.merged_into] : null;
      return mineP.status === "merged"
        ? t("ui", "your_proposal_merged", { title: mineP.title, into: into ? into.title : "" })
        : t("ui", "your_proposal_withdrawn", { title: mineP.title, reason: mineP.reason || "" });
    }) : [];
    var key = JSON.stringify(texts);
    if (notices.dataset.key !== key) {
      notices.dataset.key = key;
      notices.textContent = "";
      texts.forEach(function (text) { notices.appendChild(el("li", { className: "card notice", text: text })); });
    }
    notices.hidden = !texts.length;
  }

  var consentPick = null;  // the answer chosen but not sent yet
  var consentPrefill = null;  // what this page put in the reason box (not typed)

  /* The text the round asks about, word for word, with the latest change marked. */
  function subjectNodes(round) {
    var subject = round.subject || {};
    var changes = round.changes || {};
    var box = el("div", { className: "subject" });
    function item(fields, diff, number) {
      var node = el("div", { className: "subject-item" });
      node.appendChild(P.fieldNode("h3", null, (number ? number + ". " : "") + (fields.title || ""),
        diff && diff.title ? [{ op: "same", text: number ? number + ". " : "" }].concat(diff.title) : null));
      ["description", "what"].forEach(function (name) {
        if (fields[name] || (diff && diff[name])) node.appendChild(P.fieldNode("p", { className: "pre-line" }, fields[name], diff && diff[name]));
      });
      ["who", "where", "when"].forEach(function (name) {
        if (!fields[name] && !(diff && diff[name])) return;
        var line = P.fieldNode("p", { className: "hint" }, fields[name], diff && diff[name]);
        line.insertBefore(el("b", { text: t("ui", "field_" + name) + ": " }), line.firstChild);
        node.appendChild(line);
      });
      return node;
    }
    if (subject.kind === "publication") {
      box.appendChild(el("p", { className: "pre-line", text: subject.text || "" }));
    } else if (subject.kind === "plan") {
      var changed = changes.agreements || {};
      (subject.agreements || []).forEach(function (a, i) {
        box.appendChild(item(a.fields || {}, changed[String(a.id)] ? changed[String(a.id)].fields : null, i + 1));
      });
      // what the room consents to includes when and where it meets again
      var re = subject.reconvene_at || {}, ev = subject.evaluation_at || {};
      var followup = P.withWhenWhere(subject.followup, re.date, re.place);
      var evaluation = P.withWhenWhere(subject.evaluation, ev.date, ev.place);
      // changed since the round before on the plan: marked, as an agreement's words are
      var parts = changes.plan || [];
      var mark = function (a, b) { return parts.indexOf(a) >= 0 || parts.indexOf(b) >= 0 ? " changed" : ""; };
      if (followup) box.appendChild(el("p", { className: "pre-line" + mark("followup", "reconvene_at") }, el("b", { text: t("ui", "followup_label") + " " }), followup));
      if (evaluation) box.appendChild(el("p", { className: "pre-line" + mark("evaluation", "evaluation_at") }, el("b", { text: t("ui", "evaluation_label") + " " }), evaluation));
    } else {
      box.appendChild(item(subject.fields || {}, changes.fields, 0));
    }
    return box;
  }

  function renderConsent(meeting, you) {
    var round = live.views.consent;
    var mine = you && you.consent;
    var card = $("consent-card");
    card.hidden = !(meeting.phase === "consent" || meeting.phase === "signing") || !round || !mine || mine.round_id !== round.id;
    if (!card.hidden) {
      if (consentRound !== round.id) {
        consentRound = round.id;
        consentPick = null;
        consentPrefill = null;
      }
      // Back after a reload or a new socket: one's own answer and its reason (what the
      // person is typing is never overwritten).
      var box = $("consent-text");
      var wanted = drafts.consent.saved() || mine.text || "";
      if ((consentPrefill === null || box.value === consentPrefill) && box.value !== wanted &&
          document.activeElement !== box) {
        box.value = wanted;
      }
      consentPrefill = box.value;
      var subject = round.subject || {};
      var onPublication = round.topic === "publication";
      setText("consent-kicker", round.whole_plan || onPublication ? t("ui", "round_on") : t("ui", "round_on_version", { n: subject.version || 1 }));
      setText("consent-title", onPublication ? t("ui", "round_on_publication") : (round.whole_plan ? t("ui", "round_on_plan") : ""));
      $("consent-title").hidden = !round.whole_plan && !onPublication;
      var subjectBox = $("consent-subject");
      var key = round.id + JSON.stringify(subject);
      if (subjectBox.dataset.key !== key) {
        subjectBox.dataset.key = key;
        subjectBox.textContent = "";
        subjectBox.appendChild(subjectNodes(round));
      }
      var amended = round.previous && round.previous.outcome === "superseded";
      $("consent-amended").hidden = !amended;
      if (amended) {
        setText("consent-amended", round.whole_plan ? t("ui", "round_amended_plan")
          : t("ui", "round_amended", { n: subject.version || 1 }));
      }
      var state = pendingStatus("consent.answer", function (b) { return b.round_id === round.id; });
      var chosen = consentPick || (state.waiting && state.waiting.body.answer) || mine.answer;
      $("consent-form").hidden = !round.open;
      Array.prototype.forEach.call(card.querySelectorAll("[data-consent]"), function (b) {
        b.setAttribute("aria-pressed", String(b.getAttribute("data-consent") === chosen));
      });
      var needsText = chosen === "concern" || chosen === "objection";
      $("consent-text").hidden = $("consent-text-label").hidden = !needsText;
      setText("consent-text-label", chosen === "objection" ? t("ui", "objection_label") : t("ui", "concern_label"));
      $("consent-asked").hidden = !(round.open && mine.asked && mine.answer === "objection" && !mine.withdrawn);
      var status = "";
      if (!round.open) status = P.outcomeText(round.outcome);
      else if (state.waiting) status = t("ui", "waiting_answer", { answer: t("ui", "consent_" + state.waiting.body.answer) });
      else if (mine.withdrawn) status = t("ui", "objection_withdrawn");
      else if (mine.answer) status = t("ui", "your_answer", { answer: t("ui", "consent_" + mine.answer) }) +
        (mine.text ? ": " + mine.text : "");
      setText("consent-status", status);
      $("consent-status").classList.toggle("waiting", !!state.waiting);
      // A write refused on arrival, also one made for an earlier round (superseded or
      // closed meanwhile): the phone says it was not stored.
      var refused = state.refused || live.refusal("consent.answer");
      var earlier = refused && refused.body.round_id !== round.id;
      showError("consent-error", !refused ? "" : (earlier
        ? t("ui", "answer_not_stored", { reason: P.errorMessage(refused.error) })
        : P.errorMessage(refused.error)));
    }
    var plan = live.views.agreements || { items: [] };
    var showPlan = ["consent", "framework_check", "signing", "closed"].indexOf(meeting.phase) >= 0 && plan.items.length;
    $("plan-card").hidden = !showPlan;
    var list = $("plan");
    list.textContent = "";
    plan.items.forEach(function (a) {
      var meta = ["who", "where", "when"].filter(function (f) { return a[f]; }).map(function (f) {
        return t("ui", "field_" + f) + ": " + a[f];
      }).join(" · ");
      list.appendChild(el("li", { className: "card" }, el("b", { text: a.title }),
        a.description ? el("p", { className: "pre-line", text: a.description }) : null,
        a.what ? el("p", { className: "pre-line", text: a.what }) : null,
        meta ? el("p", { className: "hint", text: meta }) : null,
        a.changes ? el("p", { className: "hint", text: t("ui", "changed_after_adoption", { n: a.version, by: a.changed_by || "" }) }) : null));
    });
    var followup = P.withWhenWhere(plan.followup, plan.followup_date, plan.followup_place);
    var evaluation = P.withWhenWhere(plan.evaluation, plan.evaluation_date, plan.evaluation_place);
    setText("plan-followup", followup ? t("ui", "followup_label") + " " + followup : "");
    setText("plan-evaluation", evaluation ? t("ui", "evaluation_label") + " " + evaluation : "");
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-consent]"), function (button) {
    button.addEventListener("click", function () {
      consentPick = button.getAttribute("data-consent");
      live.clearRefusal("consent.answer");
      render();
    });
  });
  $("consent-send").addEventListener("click", function () {
    var round = live.views.consent;
    var mine = live.you && live.you.consent;
    var answer = consentPick || (mine && mine.answer);
    if (!answer) { showError("consent-error", t("ui", "pick_consent")); return; }
    showError("consent-error", "");
    live.clearRefusal("consent.answer");
    var text = answer === "consent" ? "" : $("consent-text").value;
    consentPick = null;
    live.send("consent.answer", { round_id: round.id, answer: answer, text: text }).then(function (ack) {
      if (ack.ok) drafts.consent.clear();
      else consentPick = answer;  // what was chosen and typed stays
      render();
    });
    render();
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
    live.clearRefusal("vote.give");
    live.clearRefusal("vote.take_back");
    live.send(event, { proposal_id: proposalId }).then(render);
    render();
  }

  $("propose-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var fields = {};
    PROPOSAL_FIELDS.forEach(function (name) { fields[name] = $("proposal-" + name).value; });
    $("propose-send").disabled = true;
    showError("propose-error", "");
    live.send("proposal.create", fields).then(function () { $("propose-send").disabled = false; });
    if (!live.socket || !live.socket.connected) {
      // Offline: it waits on the phone (listed as waiting); the form is free again.
      $("propose-send").disabled = false;
      clearProposalForm();
    }
    render();
  });

  var proposeStatus = "";
  function clearProposalForm() {
    PROPOSAL_FIELDS.forEach(function (name) { $("proposal-" + name).value = ""; drafts["proposal-" + name].clear(); });
  }

  /* The server answered a write from the outbox, maybe after a reload: clear what waited in
   * the boxes, or give a refused text back with the reason. */
  function acked(entry, ack) {
    var body = entry.body;
    if (entry.event === "proposal.create") {
      if (ack.ok) {
        if ($("proposal-title").value === body.title) clearProposalForm();
        proposeStatus = t("ui", "proposal_sent");
        showError("propose-error", "");
      } else {
        if (!$("proposal-title").value) {
          PROPOSAL_FIELDS.forEach(function (name) { $("proposal-" + name).value = body[name] || ""; });
        }
        showError("propose-error", P.errorMessage(ack.error));
      }
    } else if (entry.event === "contribution.create" || entry.event === "contribution.edit") {
      var box = $("contribution");
      if (ack.ok) {
        if (box.value === body.text) stopEdit();
        setText("write-status", entry.event === "contribution.create" ? t("ui", "shared") : t("ui", "saved"));
      } else if (!box.value) {
        box.value = body.text;
        if (entry.event === "contribution.edit") { editing = body.id; setText("write-send", t("ui", "save")); }
        counter();
        writeError(P.errorMessage(ack.error));
      }
    } else if (entry.event === "consent.answer" && ack.ok) {
      drafts.consent.clear(code + ":consent:" + body.round_id);
    } else if (entry.event === "recognition.answer" && ack.ok) {
      drafts.recognition.clear(code + ":recognition:" + body.check_id);
    }
  }

  function counter() {
    var length = $("contribution").value.trim().length;
    var node = $("counter");
    setText(node, length + " / " + TEXT_MAX);
    node.classList.toggle("over", length > TEXT_MAX);
  }

  function writeError(message) { showError("write-error", message); }

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
    drafts.contribution.clear();
    setText("write-send", t("ui", "share"));
    $("write-cancel").hidden = true;
    counter();
  }

  function withdraw(c) {
    P.confirm({
      title: t("ui", "withdraw_contribution_title"),
      body: [el("blockquote", { className: "pre-line", text: c.text }), t("ui", "confirm_withdraw")],
      confirm: t("ui", "withdraw"), danger: true,
    }).then(function (yes) {
      if (!yes) return;
      live.send("contribution.withdraw", { id: c.id }).then(function (ack) {
        writeError(ack.ok ? "" : P.errorMessage(ack.error));
      });
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
    live.clearRefusal("contribution.create");
    live.clearRefusal("contribution.edit");
    var wasEditing = editing;
    var request = editing === null
      ? live.send("contribution.create", { text: text })
      : live.send("contribution.edit", { id: editing, text: text });
    // Offline, the text moves to the list as "waiting to be sent"; the box is free again.
    var queued = !live.socket || !live.socket.connected;
    if (queued) { button.disabled = false; stopEdit(); setText("write-status", t("ui", "waiting_to_send")); }
    request.then(function (ack) {
      button.disabled = false;
      if (!ack.ok && !queued) writeError(P.errorMessage(ack.error));  // the text stays in the box
      // Only the text that was sent leaves the box: what was typed since stays.
      if (ack.ok && !queued && wasEditing === editing && $("contribution").value === text) stopEdit();
    });
    render();
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-answer]"), function (button) {
    button.addEventListener("click", function () {
      picked = button.getAttribute("data-answer");
      live.clearRefusal("recognition.answer");
      render();
    });
  });
  $("recognition-send").addEventListener("click", function () {
    var check = live.views.recognition;
    var mine = live.you && live.you.recognition;
    if (mine && mine.check_id !== check.id) mine = null;
    var answer = picked || (mine && mine.answer);
    if (!answer) { showError("recognition-error", t("ui", "pick_answer")); return; }
    showError("recognition-error", "");
    live.clearRefusal("recognition.answer");
    var sent = picked;
    picked = null;
    live.send("recognition.answer", { check_id: check.id, answer: answer,
      comment: $("recognition-comment").value }).then(function (ack) {
      if (ack.ok) drafts.recognition.clear();
      else picked = sent;
      render();
    });
    render();
  });
  $("speak").addEventListener("click", function () {
    live.send("queue.request", {}).then(function (ack) {
      if (!ack.ok) setText("speak-status", P.errorMessage(ack.error));
    });
    render();
  });
  $("speak-cancel").addEventListener("click", function () {
    live.send("queue.cancel", {}).then(function (ack) {
      if (!ack.ok) setText("speak-status", P.errorMessage(ack.error));
    });
  });

  function status(state) {
    P.connectionPill($("connection"), state);
    $("offline").hidden = state !== "offline" || !live || !live.you;
    if (state === "offline" && live && live.outbox.length) setText("offline", t("ui", "offline_waiting"));
    else setText("offline", t("ui", "offline"));
  }

  function start() {
    live = new P.Live({
      auth: { audience: "phone", code: code },
      outbox: "phone:" + code,
      remember: "phone:" + code,
      render: P.keepingFocus(render),
      onStatus: status,
      onAcked: acked,
      onClosed: function () { if (live.you && live.you.removed) show("removed-view"); },
      onRefused: function (error) {
        if (error.code === "participant.removed") { live.stopped = true; live.socket.disconnect(); show("removed-view"); }
        else if (error.code === "auth.not_joined") {
          P.storage.remove("plandag:joined:" + code);
          live.stopped = true; live.socket.disconnect(); show("join-view");
        }
      },
    });
    window.plandagLive = live;
    if (live.views.meeting) render();  // the last state this device saw, until the server answers
    live.connect();
  }

  function joinError(message) { showError("join-error", message); }

  $("join-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var group = document.querySelector("input[name=group]:checked");
    var button = $("join-button");
    button.disabled = true;
    joinError("");
    fetch(P.boot.join_url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ name: $("name").value, group: group ? group.value : null, language: P.boot.lang }),
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false, error: { code: "server.error" } }; });
    }).then(function (body) {
      button.disabled = false;
      if (!body.ok) { joinError(P.errorMessage(body.error)); return; }
      P.storage.set("plandag:joined:" + code, "1");
      // The page the service worker keeps must be the joined one, for a reload offline.
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ keep: window.location.pathname });
      }
      if (live) { live.stopped = false; live.socket.connect(); } else start();
      live.you = body.you;
      show("meeting-view");
    }).catch(function () {
      button.disabled = false;
      joinError(t("ui", "offline"));
    });
  });

  setInterval(function () { if (live && live.staleSince) renderStale(); }, 30000);
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(P.boot.service_worker, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // The first visit came before the worker: ask it to keep this page.
      return caches.match(window.location.pathname).then(function (hit) {
        if (!hit) registration.active.postMessage({ keep: window.location.pathname });
      });
    }).catch(function () { /* the page works without it, only not offline */ });
  }
  // Joined on this device before (the page may come from the device, made before joining).
  if (P.boot.joined || P.storage.get("plandag:joined:" + code)) start();
  else if (!document.getElementById("ended-view")) show("join-view");
})();
