/* The beamer: phase, open question, QR code and code, who is here, the timer; in
 * framing the issue statement, information and the recognition check; in sharing the
 * wall and the spotlight; the speaking queue. All user text via textContent. */
(function () {
  "use strict";
  var P = window.Plandag, t = P.t, el = P.el, setText = P.setText;
  var $ = function (id) { return document.getElementById(id); };
  var live;

  function label(person) {
    if (!person) return "";
    return person.name ? person.name : t("ui", "anonymous") + " · " + person.group;
  }

  function show(id, visible) { $(id).hidden = !visible; }

  function contributions() {
    var out = [];
    Object.keys(live.views).forEach(function (key) {
      if (key.indexOf("card:") === 0) out.push(live.views[key]);
    });
    out.sort(function (a, b) { return b.id - a.id; });  // newest first
    return out;
  }

  function note(c) {
    var who = c.author ? c.author + (c.group ? " · " + c.group : "") : "";
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
        var col = el("div", { className: "theme-col" },
          el("h3", null, el("span", { text: theme.name }), el("span", { text: String(members.length) })));
        members.slice(0, 8).forEach(function (c) { col.appendChild(note(c)); });
        wall.appendChild(col);
      });
      return;
    }
    var shown = items.slice(0, 18);
    shown.forEach(function (c) { wall.appendChild(note(c)); });
    if (items.length > shown.length) {
      wall.appendChild(el("div", { className: "wall-more", text: t("ui", "more_on_wall", { n: items.length - shown.length }) }));
    }
  }

  function renderFraming(meeting) {
    var info = null;
    (live.views.info || []).forEach(function (item) { if (item.id === meeting.shown_info_id) info = item; });
    show("info-view", !!info);
    show("statement-view", !info);
    if (info) {
      setText("info-title", info.title);
      setText("info-text", info.text);
      return;
    }
    setText("statement", meeting.issue_statement);
    // Answers belong to the words they were given about: after a revision the old
    // tally is not shown under the new text.
    var tally = live.views.recognition_tally;
    if (tally && tally.statement_number !== meeting.statement_number) tally = null;
    show("recognition", !!tally);
    setText("statement-version", meeting.statement_number > 1 ? "(" + t("ui", "version_n", { n: meeting.statement_number }) + ")" : "");
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
    setText("recognition-count", t("ui", "answered_n", { n: tally.answered }) +
      (tally.open ? "" : " · " + t("ui", "check_closed")));
  }

  function renderProposals(meeting) {
    var tables = live.views.tables || {};
    var byId = {};
    Object.keys(live.views).forEach(function (key) {
      if (key.indexOf("proposal:") === 0) byId[live.views[key].id] = live.views[key];
    });
    var grid = $("tables");
    grid.hidden = !tables.active;
    $("ranking").hidden = !!tables.active;
    grid.textContent = "";
    if (tables.active) {
      (tables.tables || []).forEach(function (table) {
        var list = el("ul");
        Object.keys(byId).forEach(function (id) {
          var p = byId[id];
          if (p.table_id === table.id && p.status === "open") list.appendChild(el("li", { text: p.title }));
        });
        grid.appendChild(el("div", { className: "beamer-table" },
          el("h3", { text: t("ui", "table_n", { name: table.name }) }),
          el("p", { className: "host", text: table.host && table.host.name ? t("ui", "host_is", { name: table.host.name }) : "" }),
          table.question ? el("p", { className: "host", text: table.four_years ? t("ui", "four_years") : table.question }) : null,
          list));
      });
    }
    var box = $("ranking");
    box.textContent = "";
    var ranking = live.views.ranking || [];
    var top = Math.max(1, ranking.length ? ranking[0].support : 1);
    ranking.slice(0, 10).forEach(function (r, i) {
      var p = byId[r.id];
      if (!p) return;
      var fill = el("div", { className: "fill" });
      fill.style.width = Math.round((100 * r.support) / top) + "%";
      var flagged = P.kaders.flags(live).filter(function (f) { return f.proposal_id === p.id; });
      box.appendChild(el("div", { className: "rank" },
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
        box.appendChild(el("div", { className: "rank withdrawn" }, el("span", { className: "pos", text: "–" }),
          el("span", { className: "title", text: p.title }),
          el("span", { className: "reason", text: t("ui", "withdrawn_because", { reason: p.reason || "" }) })));
      }
    });
    var shortlist = meeting.shortlist || [];
    $("shortlist").hidden = !shortlist.length;
    var items = $("shortlist-items");
    items.textContent = "";
    shortlist.forEach(function (id) { if (byId[id]) items.appendChild(el("li", { text: byId[id].title })); });
  }

  function renderConsent(meeting) {
    var round = live.views.consent;
    var tally = live.views.consent_tally;
    var plan = live.views.agreements || { items: [] };
    // In the consent phase the latest round (and its outcome); once signing starts, the
    // plan, unless a round is still open.
    var showRound = !!(round && tally && (meeting.phase === "consent" || round.open));
    show("consent-view", showRound);
    show("plan-view", !showRound && !!plan.items.length);
    renderPlan(plan);
    if (!showRound) return;
    var proposal = round.proposal_id ? live.views["proposal:" + round.proposal_id] : null;
    setText("round-kicker", t("ui", "round_on"));
    setText("round-title", proposal ? proposal.title : t("ui", "round_on_plan"));
    setText("round-count", t("ui", "answered_of", { answered: tally.answered, eligible: tally.eligible }));
    var flagBox = $("round-flags");
    flagBox.textContent = "";
    var notes = proposal ? P.kaders.flagNotes(live, proposal.id) : null;
    if (notes) flagBox.appendChild(notes);
    var bars = $("round-bars");
    bars.textContent = "";
    var total = Math.max(1, tally.answered);
    ["consent", "concern", "objection"].forEach(function (key) {
      var fill = el("div", { className: "fill" });
      fill.style.width = Math.round((100 * tally[key]) / total) + "%";
      bars.appendChild(el("div", { className: "bar " + key }, el("span", { text: t("ui", "consent_" + key) }),
        el("div", { className: "track" }, fill), el("span", { className: "num", text: String(tally[key]) })));
    });
    var outcome = $("round-outcome");
    outcome.hidden = round.open;
    outcome.className = "beamer-outcome " + (round.outcome || "");
    setText(outcome, round.open ? "" : t("ui", round.outcome === "adopted" ? "outcome_adopted" : "outcome_open"));
    var list = $("round-objections");
    list.textContent = "";
    tally.objections.forEach(function (o) {
      var who = o.name ? o.name + (o.group ? " · " + o.group : "") : t("ui", "anonymous");
      list.appendChild(el("li", null, el("b", { text: who + ": " }), o.reason));
    });
  }

  function renderPlan(plan) {
    var list = $("plan-items");
    list.textContent = "";
    plan.items.forEach(function (a) {
      var meta = [a.what, a.who, a.where, a.when].filter(function (x) { return x; }).join(" · ");
      list.appendChild(el("li", null, el("b", { text: a.title }), meta ? el("div", { className: "meta", text: meta }) : null));
    });
    // The Alle Hens questions: who meets again if it does not work, who evaluates.
    if (plan.followup) list.appendChild(el("p", { className: "meta", text: t("ui", "followup_label") + " " + plan.followup }));
    if (plan.evaluation) list.appendChild(el("p", { className: "meta", text: t("ui", "evaluation_label") + " " + plan.evaluation }));
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
    setText("url", meeting.join_url);
    // The QR code dominates while people come in; afterwards it stays, smaller.
    document.body.classList.toggle("compact", phase !== "welcome");
    var framing = phase === "framing", sharing = phase === "sharing";
    var proposing = phase === "proposals";
    var consenting = phase === "consent" || phase === "signing";
    var kader = P.kaders.beamer(live, meeting);
    var signingShown = P.signing.beamer(live, meeting);
    // While people sign, the beamer shows the plan they sign and, under it, the count.
    if (signingShown) kader = true;
    show("intro", !framing && !sharing && !proposing && !consenting && !kader);
    show("consent-view", false);
    show("plan-view", false);
    if (consenting) renderConsent(meeting);
    show("proposals-view", proposing);
    if (proposing) renderProposals(meeting);
    $("statement-view").hidden = true;
    $("info-view").hidden = true;
    show("wall-view", sharing);
    if (framing && !kader) renderFraming(meeting);
    if (sharing) renderWall(meeting);
    var spotlit = meeting.spotlight_id && live.views["card:" + meeting.spotlight_id];
    show("spotlight", !!spotlit);
    if (spotlit) {
      setText("spotlight-text", spotlit.text);
      var length = spotlit.text.length;
      $("spotlight-text").className = "pre-line" + (length > 500 ? " long" : (length > 200 ? " medium" : ""));
      setText("spotlight-author", spotlit.author ? spotlit.author + (spotlit.group ? " · " + spotlit.group : "") : "");
    }
    renderQueue();
    var counts = live.views.counts;
    if (counts) setText("online", counts.online);
    tick();
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
  setInterval(tick, 1000);
  window.plandagLive = live;
})();
