/* The phone: join with a name and a group, then follow the meeting. */
(function () {
  "use strict";
  var P = window.Plandag, t = P.t, setText = P.setText;
  var $ = function (id) { return document.getElementById(id); };
  var live = null;

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
    if (you) {
      setText("you-name", you.name);
      setText("you-group", you.group);
      // Informants, framework parties and observers see the role the facilitator gave them.
      setText("you-role", you.role && you.role !== "participant" ? " · " + t("roles", you.role) : "");
    }
  }

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
