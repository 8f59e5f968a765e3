/* The beamer: phase, open question, QR code and code, who is here, the timer; in
 * framing the issue statement, information and the recognition check; in sharing the
 * wall and the spotlight; the speaking queue; in consent the text the round asks about
 * beside its live tally; in signing the whole plan beside the count.
 *
 * The beamer never scrolls and never clips: long text is laid out into pages that turn
 * by themselves (the facilitator sets the pace), lists show what fits and count the
 * rest. All user text via textContent. */
(function () {
  "use strict";
  var P = window.Plandag, t = P.t, tn = P.tn, el = P.el, setText = P.setText, $ = P.$;
  var live;
  var textPager = new P.Pager($("text-pages"), $("text-cue"));
  var statementPager = new P.Pager($("statement-pages"), $("statement-cue"));
  var FIELDS = ["what", "who", "where", "when"];

  function label(person) {
    if (!person) return "";
    return person.name ? person.name : t("ui", "anonymous") + " · " + person.group;
  }

  function show(id, visible) { $(id).hidden = !visible; }

  function more(n) { return el("p", { className: "more", text: t("ui", "more_on_wall", { n: n }) }); }

  function contributions() {
    var out = P.items(live.views, "card:");
    out.sort(function (a, b) { return b.id - a.id; });  // newest first
    return out;
  }

  function note(c) {
    var who = c.author ? P.who(c.author, c.group) : "";
    return el("div", { className: "note" }, el("p", { text: c.text }),
      who ? el("div", { className: "who", text: who }) : null);
  }

  function renderWall(meeting) {
    var wall = $("wall");
    var items = contributions();
    wall.textContent = "";
    wall.className = "wall" + (meeting.wall_mode === "themes" ? " themes" : "");
    setText("prompt", meeting.prompt ? meeting.prompt.text : t("beamer_leads", "sharing"));
    if (meeting.wall_mode === "themes") {
      var themes = (live.views.themes || []).concat([{ id: null, name: t("ui", "no_theme") }]);
      themes.forEach(function (theme) {
        var members = items.filter(function (c) { return (c.theme_id || null) === theme.id; });
        if (theme.id === null && !members.length) return;
        var notes = el("div", { className: "theme-notes" });
        var col = el("div", { className: "theme-col" },
          el("h3", null, el("span", { text: theme.name }), el("span", { text: String(members.length) })), notes);
        wall.appendChild(col);
        P.fitList(notes, members, more, note);
      });
      return;
    }
    P.fitList(wall, items, more, note);
  }

  function renderFraming(meeting) {
    var info = null;
    (live.views.info || []).forEach(function (item) { if (item.id === meeting.shown_info_id) info = item; });
    show("statement-view", true);
    var tally = live.views.recognition_tally;
    // Answers belong to the words they were given about: after a revision the old
    // tally is not shown under the new text.
    if (tally && tally.statement_number !== meeting.statement_number) tally = null;
    if (info) {
      setText("statement-kicker", t("ui", "information"));
      statementPager.show("info:" + info.id + ":" + info.title + info.text + (info.informant || ""), function () {
        return [el("h3", { className: "block first", text: info.title })]
          .concat(info.informant ? [el("p", { className: "block informant", text: t("ui", "presented_by", { name: info.informant }) })] : [])
          .concat(P.textBlocks("body", info.text, info.title));
      }, meeting.beamer_page_seconds);
      tally = null;
    } else {
      setText("statement-kicker", t("ui", "issue_statement") +
        (meeting.statement_number > 1 ? " (" + t("ui", "version_n", { n: meeting.statement_number }) + ")" : ""));
      statementPager.show("statement:" + meeting.statement_number + meeting.issue_statement, function () {
        return P.textBlocks("body", meeting.issue_statement, t("ui", "issue_statement"));
      }, meeting.beamer_page_seconds);
    }
    show("recognition", !!tally);
    if (!tally) return;
    var bars = $("bars");
    bars.textContent = "";
    var total = Math.max(1, tally.answered);
    ["yes", "partly", "no"].forEach(function (key) {
      var n = tally.tally[key];
      var fill = el("div", { className: "fill" });
      fill.style.width = Math.round((100 * n) / total) + "%";
      bars.appendChild(el("div", { className: "bar " + key },
        el("span", { text: t("ui", "recognition_" + key) }),
        el("div", { className: "track" }, fill),
        el("span", { className: "num", text: String(n) })));
    });
    setText("recognition-count", tn("ui", "answered_n", tally.answered) +
      (tally.open ? "" : " · " + t("ui", "check_closed")));
  }

  function renderProposals(meeting) {
    var tables = live.views.tables || {};
    var byId = {};
    P.items(live.views, "proposal:").forEach(function (p) { byId[p.id] = p; });
    var grid = $("tables");
    grid.hidden = !tables.active;
    $("ranking").hidden = !!tables.active;
    grid.textContent = "";
    if (tables.active) {
      (tables.tables || []).forEach(function (table) {
        var list = el("ul");
        var card = el("div", { className: "beamer-table" },
          el("h3", { text: t("ui", "table_n", { name: table.name }) }),
          table.host && table.host.name ? el("p", { className: "host", text: t("ui", "host_is", { name: table.host.name }) }) : null,
          table.question ? el("p", { className: "host", text: table.four_years ? t("ui", "four_years") : table.question }) : null,
          list);
        grid.appendChild(card);
        P.fitList(list, Object.keys(byId).map(function (id) { return byId[id]; })
          .filter(function (p) { return p.table_id === table.id && p.status === "open"; })
          .map(function (p) { return el("li", { text: p.title }); }), more);
      });
    }
    var rows = [];
    var ranking = live.views.ranking || [];
    var top = Math.max(1, ranking.length ? ranking[0].support : 1);
    ranking.forEach(function (r, i) {
      var p = byId[r.id];
      if (!p) return;
      var fill = el("div", { className: "fill" });
      fill.style.width = Math.round((100 * r.support) / top) + "%";
      var flagged = P.kaders.flags(live).filter(function (f) { return f.proposal_id === p.id; });
      rows.push(el("div", { className: "rank" },
        el("span", { className: "pos", text: String(i + 1) }),
        el("span", { className: "title", text: p.title },
          flagged.length ? el("span", { className: "flag-mark", text: " ⚠ " + t("kaders", "kaders") }) : null),
        el("div", { className: "track" }, fill),
        el("span", { className: "num", text: String(r.support) })));
    });
    // Withdrawn proposals stay visible with the reason the room was given.
    Object.keys(byId).forEach(function (id) {
      var p = byId[id];
      if (p.status === "withdrawn" && !tables.active) {
        rows.push(el("div", { className: "rank withdrawn" }, el("span", { className: "pos", text: "–" }),
          el("span", { className: "title", text: p.title }),
          el("span", { className: "reason", text: t("ui", "withdrawn_because", { reason: p.reason || "" }) })));
      }
    });
    var shortlist = meeting.shortlist || [];
    $("shortlist").hidden = !shortlist.length;
    var items = $("shortlist-items");
    items.textContent = "";
    shortlist.forEach(function (id) { if (byId[id]) items.appendChild(el("li", { text: byId[id].title })); });
    if (!tables.active) P.fitList($("ranking"), rows, more);
  }

  /* The blocks of one proposal or agreement: its title, description and what, and a
   * line each for who, where and when; a changed word is struck through, the new one
   * marked. */
  function itemBlocks(number, fields, changes) {
    changes = changes || {};
    var title = (number ? number + ". " : "") + (fields.title || "");
    var head = el("h3", { className: "block first item-title" + (changes.title ? " changed" : "") });
    if (number) head.appendChild(document.createTextNode(number + ". "));
    head.appendChild(changes.title ? P.diffNode(changes.title) : document.createTextNode(fields.title || ""));
    head.dataset.item = title;
    var blocks = [head];
    ["description", "what"].forEach(function (name) {
      if (!fields[name] && !changes[name]) return;
      P.textBlocks("body" + (changes[name] ? " changed" : ""), changes[name] || fields[name], title)
        .forEach(function (b) { blocks.push(b); });
    });
    FIELDS.slice(1).forEach(function (name) {
      if (!fields[name] && !changes[name]) return;
      var line = P.textBlocks("meta" + (changes[name] ? " changed" : ""), changes[name] || fields[name], title);
      if (line.length) line[0].insertBefore(el("b", { text: t("ui", "field_" + name) + ": " }), line[0].firstChild);
      line.forEach(function (b) { blocks.push(b); });
    });
    blocks[blocks.length - 1].classList.add("last");
    return blocks;
  }

  function planBlocks(agreements, followup, evaluation, changed, parts) {
    var blocks = [];
    agreements.forEach(function (a, i) {
      // In a round, the latest change is marked; the plan as signed reads plainly.
      var diff = changed && changed[String(a.id)];
      itemBlocks(i + 1, a.fields || a, diff ? diff.fields : null).forEach(function (b) { blocks.push(b); });
    });
    // The Alle Hens questions: who meets again if it does not work, who evaluates.
    // ... marked when changed since the round before on the plan
    var marked = parts || [];
    [["followup_label", followup, ["followup", "reconvene_at"]],
      ["evaluation_label", evaluation, ["evaluation", "evaluation_at"]]].forEach(function (pair) {
      if (!pair[1]) return;
      var changedHere = pair[2].some(function (p) { return marked.indexOf(p) >= 0; });
      var blocks2 = P.textBlocks("meta question-line" + (changedHere ? " changed" : ""), pair[1], t("ui", pair[0]));
      blocks2[0].insertBefore(el("b", { text: t("ui", pair[0]) + " " }), blocks2[0].firstChild);
      blocks2.forEach(function (b) { blocks.push(b); });
    });
    return blocks;
  }

  function renderText(meeting, kicker, key, build) {
    setText("text-kicker", kicker);
    textPager.show(key, build, meeting.beamer_page_seconds);
  }

  function renderConsent(meeting) {
    var round = live.views.consent;
    var tally = live.views.consent_tally;
    var subject = round.subject || {};
    var changes = round.changes || {};
    var kicker = round.topic === "publication" ? t("ui", "round_on_publication")
      : (round.whole_plan ? t("ui", "round_on_plan")
        : t("ui", "round_on_version", { n: subject.version || round.proposal_version || 1 }));
    if (changes.from_version) kicker += " · " + t("ui", "changed_since", { n: changes.from_version });
    renderText(meeting, kicker, "round:" + round.id + ":" + JSON.stringify(subject), function () {
      if (round.topic === "publication") return [el("p", { className: "block first pre-line", text: subject.text || "" })];
      if (round.whole_plan) {
        var re = subject.reconvene_at || {}, ev = subject.evaluation_at || {};
        return planBlocks(subject.agreements || [], P.withWhenWhere(subject.followup, re.date, re.place),
          P.withWhenWhere(subject.evaluation, ev.date, ev.place), changes.agreements, changes.plan);
      }
      return itemBlocks(0, subject.fields || {}, changes.fields);
    });
    show("tally-side", true);
    show("signing-side", false);
    setText("round-count", t("ui", "answered_of", { answered: tally ? tally.answered : 0, eligible: tally ? tally.eligible : 0 }));
    var flagBox = $("round-flags");
    flagBox.textContent = "";
    var notes = round.proposal_id ? P.kaders.flagNotes(live, round.proposal_id) : null;
    if (notes) flagBox.appendChild(notes);
    var bars = $("round-bars");
    bars.textContent = "";
    var total = Math.max(1, tally ? tally.answered : 0);
    ["consent", "concern", "objection"].forEach(function (key) {
      var n = tally ? tally[key] : 0;
      var fill = el("div", { className: "fill" });
      fill.style.width = Math.round((100 * n) / total) + "%";
      bars.appendChild(el("div", { className: "bar " + key }, el("span", { text: t("ui", "consent_" + key) }),
        el("div", { className: "track" }, fill), el("span", { className: "num", text: String(n) })));
    });
    var outcome = $("round-outcome");
    outcome.hidden = round.open;
    outcome.className = "beamer-outcome " + (round.outcome || "");
    setText(outcome, round.open ? "" : P.outcomeText(round.outcome));
    var objections = ((tally && tally.objections) || []).map(function (o) {
      var who = o.name ? P.who(o.name, o.group) : t("ui", "anonymous") + " · " + o.group;
      return el("li", null, el("b", { text: who + ": " }), o.reason);
    });
    P.fitList($("round-objections"), objections, function (n) { return el("li", { className: "more", text: t("ui", "more_on_wall", { n: n }) }); });
  }

  function renderSigning(meeting) {
    var plan = live.views.agreements || { items: [] };
    var state = live.views.signing || {};
    renderText(meeting, t("ui", "the_plan_signed"), "plan:" + JSON.stringify(plan), function () {
      return planBlocks(plan.items, P.withWhenWhere(plan.followup, plan.followup_date, plan.followup_place),
        P.withWhenWhere(plan.evaluation, plan.evaluation_date, plan.evaluation_place), null);
    });
    show("tally-side", false);
    show("signing-side", true);
    var tally = live.views.signing_tally || { signed: 0, eligible: 0, declined: 0, names: [] };
    setText("signing-of", t("signing", "signed_of", { signed: tally.signed, eligible: tally.eligible }));
    setText("signing-declined", tally.declined ? tn("signing", "declined_n", tally.declined) : "");
    P.fitList($("signing-names"), (tally.names || []).map(function (n) { return el("li", { text: n }); }),
      function (n) { return el("li", { className: "more", text: t("ui", "more_on_wall", { n: n }) }); });
    setText("signing-sealed", state.closed_at ? t("signing", "closed", { fingerprint: state.fingerprint || "" }) : "");
  }

  function renderPlan(meeting) {
    var plan = live.views.agreements || { items: [] };
    renderText(meeting, t("ui", "the_plan"), "plan:" + JSON.stringify(plan), function () {
      return planBlocks(plan.items, P.withWhenWhere(plan.followup, plan.followup_date, plan.followup_place),
        P.withWhenWhere(plan.evaluation, plan.evaluation_date, plan.evaluation_place), null);
    });
    show("tally-side", false);
    show("signing-side", false);
  }

  function renderQueue() {
    var queue = live.views.queue || {};
    var round = live.views.round;
    var parts = [];
    if (round && round.current) {
      parts.push(t("ui", "turn") + ": " + label(round.current));
      if (round.next.length) parts.push(t("ui", "next_up") + ": " + round.next.map(label).join(", "));
    } else {
      if (queue.speaking) parts.push(t("ui", "speaking_now") + ": " + label(queue.speaking));
      if (queue.next && queue.next.length) parts.push(t("ui", "next_up") + ": " + queue.next.map(label).join(", "));
    }
    setText("queue", parts.join("  ·  "));
  }

  function render() {
    var meeting = live.views.meeting;
    if (!meeting) return;
    var phase = meeting.phase;
    setText("meeting-title", meeting.title);
    setText("phase", t("phases", phase));
    setText("lead", t("beamer_leads", phase));
    setText("question", phase === "closed" ? "" : meeting.open_question);
    setText("step", P.stepText(meeting));
    setText("code", meeting.join_code);
    setText("foot-code", t("ui", "join_with", { code: meeting.join_code }));
    setText("url", meeting.join_url);
    // Head and foot first: the main area's height follows from them.
    renderQueue();
    var counts = live.views.counts;
    if (counts) setText("online", tn("ui", "online_n", counts.online));
    var framing = phase === "framing", sharing = phase === "sharing";
    var proposing = phase === "proposals";
    var round = live.views.consent;
    var plan = live.views.agreements || { items: [] };
    var kader = P.kaders.beamer(live, meeting);
    // In consent: the text the latest round asks about, beside its tally; in signing the
    // whole plan beside the count (a round still open there comes first).
    var consenting = !!round && (phase === "consent" || (phase === "signing" && round.open));
    var signing = phase === "signing" && !consenting;
    var planShown = !consenting && !signing && phase === "consent" && plan.items.length > 0;
    var textMode = consenting || signing || planShown;
    // The QR code dominates while people come in; afterwards it stays, smaller, and
    // while the room reads a text it makes way for it (the code stays in the footer).
    document.body.classList.toggle("compact", phase !== "welcome");
    document.body.classList.toggle("text-mode", textMode);
    show("intro", !framing && !sharing && !proposing && !textMode && !kader);
    show("text-view", textMode);
    if (consenting) renderConsent(meeting);
    else if (signing) renderSigning(meeting);
    else if (planShown) renderPlan(meeting);
    else textPager.clear();
    show("proposals-view", proposing);
    if (proposing) renderProposals(meeting);
    show("wall-view", sharing);
    var framingShown = framing && !kader;
    show("statement-view", framingShown);
    if (framingShown) renderFraming(meeting); else statementPager.clear();
    if (sharing) renderWall(meeting);
    var spotlit = meeting.spotlight_id && live.views["card:" + meeting.spotlight_id];
    show("spotlight", !!spotlit);
    if (spotlit) {
      setText("spotlight-text", spotlit.text);
      var length = spotlit.text.length;
      $("spotlight-text").className = "pre-line" + (length > 500 ? " long" : (length > 200 ? " medium" : ""));
      setText("spotlight-author", spotlit.author ? P.who(spotlit.author, spotlit.group) : "");
    }
    textPager.refit();
    statementPager.refit();
    if (!$("intro").hidden) fitQuestion();
    tick();
  }

  /* A long open question gets smaller type until the screen holds it (never below the
   * beamer's smallest size). */
  function fitQuestion() {
    var question = $("question"), main = $("main");
    question.style.fontSize = "";
    var size = parseFloat(getComputedStyle(question).fontSize);
    var least = Math.max(20, window.innerHeight * 0.026);
    while (main.scrollHeight > main.clientHeight + 1 && size > least) {
      size = Math.max(least, size * 0.92);
      question.style.fontSize = size + "px";
    }
  }

  function tick() {
    var meeting = live && live.views.meeting;
    var timer = P.timerText(live, meeting);
    var visible = meeting && meeting.phase !== "welcome" && meeting.phase !== "closed";
    setText("timer", visible ? timer.text : "");
    $("timer").className = "beamer-timer" + (timer.over ? " over" : "");
  }

  function banner(text) {
    var node = $("banner");
    node.hidden = !text;
    setText(node, text || "");
  }

  live = new P.Live({
    auth: { audience: "beamer", meeting: P.boot.meeting, key: P.boot.key },
    render: render,
    onStatus: function (state) { banner(state === "offline" ? t("ui", "offline") : ""); },
    onRefused: function (error) { banner(P.errorMessage(error)); },
    onRevoked: function () { banner(t("ui", "beamer_revoked")); },
  }).connect();
  document.addEventListener("keydown", function (e) {
    if ((e.key === "p" || e.key === "P") && !e.ctrlKey && !e.metaKey && !e.altKey) {
      // pause (or resume) the pages turning by themselves (WCAG 2.2.2)
      P.Pager.paused = !P.Pager.paused;
      textPager.turn(0); statementPager.turn(0);
      return;
    }
    var step = { ArrowRight: 1, PageDown: 1, " ": 1, ArrowLeft: -1, PageUp: -1 }[e.key];
    if (!step) return;
    if (textPager.turn(step) || statementPager.turn(step)) e.preventDefault();
  });
  setInterval(tick, 1000);
  window.plandagLive = live;
})();
