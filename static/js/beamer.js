/* The beamer: phase, open question, QR code and code, who is here, the timer. */
(function () {
  "use strict";
  var P = window.Plandag, t = P.t, setText = P.setText;
  var $ = function (id) { return document.getElementById(id); };
  var live;

  function render() {
    var meeting = live.views.meeting;
    if (!meeting) return;
    setText("meeting-title", meeting.title);
    setText("phase", t("phases", meeting.phase));
    setText("lead", t("beamer_leads", meeting.phase));
    setText("question", meeting.phase === "closed" ? "" : meeting.open_question);
    setText("step", P.stepText(meeting));
    setText("code", meeting.join_code);
    setText("url", meeting.join_url);
    // The QR code dominates while people come in; afterwards it stays, smaller.
    document.body.classList.toggle("compact", meeting.phase !== "welcome");
    var counts = live.views.counts;
    if (counts) setText("online", counts.online);
    tick();
  }

  function tick() {
    var meeting = live && live.views.meeting;
    var timer = P.timerText(live, meeting);
    var show = meeting && meeting.phase !== "welcome" && meeting.phase !== "closed";
    setText("timer", show ? timer.text : "");
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
