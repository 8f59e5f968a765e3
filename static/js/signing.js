/* Signing the plan on a phone (or a party's laptop): full name, an optional signature
 * drawn with a finger, or declining with an optional reason. */
(function () {
  "use strict";
  var P = window.Plandag, t = P.t, setText = P.setText, $ = P.$;
  var s = function (key, params) { return t("signing", key, params); };
  var drawn = false, live = null, bound = false, nameDraft = null;

  function pad() { return $("sign-pad"); }

  function bindPad() {
    var canvas = pad(), ctx = canvas.getContext("2d"), last = null;
    function point(e) {
      var r = canvas.getBoundingClientRect();
      return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
    }
    ctx.lineWidth = 4; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111418";
    canvas.addEventListener("pointerdown", function (e) {
      e.preventDefault(); canvas.setPointerCapture(e.pointerId); last = point(e);
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!last) return;
      e.preventDefault();
      var p = point(e);
      ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
      last = p; drawn = true;
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { last = null; });
    });
    $("sign-clear").addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false;
    });
  }

  function image() {
    if (!drawn) return null;
    // White background, so the image reads on paper and in every viewer.
    var out = document.createElement("canvas");
    out.width = 480; out.height = 160;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(pad(), 0, 0, out.width, out.height);
    return out.toDataURL("image/png");
  }

  function send(sign) {
    var error = $("sign-error");
    var payload = { sign: sign, name: $("sign-name").value };
    if (sign) { var img = image(); if (img) payload.image = img; }
    else payload.reason = $("sign-reason").value;
    if (live.clearRefusal) live.clearRefusal("signature.sign");
    error.hidden = true;
    live.send("signature.sign", payload).then(function (ack) {
      if (ack.ok && nameDraft) nameDraft.clear();
      error.hidden = ack.ok;
      setText(error, ack.ok ? "" : P.errorMessage(ack.error));
      render(live, live.views.meeting);
    });
    render(live, live.views.meeting);
  }

  function render(l, meeting) {
    live = l;
    var card = $("sign-card");
    if (!card || !meeting) return;
    if (!bound) {
      bound = true;
      bindPad();
      if (P.boot.code) nameDraft = P.keepDraft($("sign-name"), P.boot.code + ":sign-name");
      $("sign-submit").addEventListener("click", function () { send(true); });
      $("sign-decline").addEventListener("click", function () {
        var box = $("sign-decline-box");
        if (box.hidden) { box.hidden = false; $("sign-reason").focus(); return; }
        send(false);
      });
    }
    var state = live.views.signing || {};
    var you = live.you || {};
    var mine = you.signature;
    var signer = you.role !== "observer";
    // After sealing, everyone who took part follows the plan on its own page.
    var after = $("plan-after");
    if (after) after.hidden = !state.closed_at || !you.id || you.removed;
    card.hidden = !signer || (meeting.phase !== "signing" && !mine);
    if (card.hidden) return;
    if (!$("sign-name").value && mine) $("sign-name").value = mine.name;
    $("sign-form").hidden = !state.open;
    // A signature given without network waits on the phone until it is sent; one
    // refused on arrival (signing closed meanwhile) says so.
    var waiting = live.waiting ? live.waiting("signature.sign").length > 0 : false;
    $("sign-submit").disabled = $("sign-decline").disabled = waiting;
    var refused = live.refusal ? live.refusal("signature.sign") : null;
    var error = $("sign-error");
    if (refused || !error.textContent) {
      error.hidden = !refused;
      setText(error, refused ? P.errorMessage(refused.error) : "");
    }
    var text = "";
    if (waiting) text = t("ui", "waiting_to_send");
    else if (mine && mine.stale) text = s("plan_changed");
    else if (mine) text = s(mine.status === "signed" ? "you_signed" : "you_declined", { name: mine.name });
    if (!state.open && state.closed_at) text += (text ? " " : "") + s("closed", { fingerprint: state.fingerprint || "" });
    setText("sign-status", text);
    $("sign-status").hidden = !text;
  }

  P.signing = { render: render };
})();

/* The console's and the beamer's side of signing. */
(function () {
  "use strict";
  var P = window.Plandag, el = P.el, t = P.t, setText = P.setText, $ = P.$;
  var s = function (key, params) { return t("signing", key, params); };
  var bound = false;

  function consoleRender(live, meeting) {
    var panel = $("signing-panel");
    if (!panel) return;
    var state = live.views.signing || {}, tally = live.views.signing_tally;
    panel.hidden = meeting.walk.indexOf("signing") < 0;
    if (!bound) {
      bound = true;
      $("signing-close").addEventListener("click", function () {
        var tally = live.views.signing_tally || { signed: 0, declined: 0, eligible: 0 };
        var missing = Math.max(0, tally.eligible - tally.signed - tally.declined);
        P.confirm({
          title: s("close_title"),
          body: [s("signed_of", { signed: tally.signed, eligible: tally.eligible }) +
            (tally.declined ? " · " + s("declined_n", { n: tally.declined }) : ""),
            missing ? s("close_missing", { n: missing }) : "", s("confirm_close")],
          confirm: s("close"),
        }).then(function (yes) {
          if (!yes) return;
          live.send("signing.close", {}).then(function (ack) {
            setText("signing-error", ack.ok ? "" : P.errorMessage(ack.error));
          });
        });
      });
    }
    if (meeting.phase === "signing" && !panel.dataset.opened) { panel.open = true; panel.dataset.opened = "1"; }
    $("signing-close").hidden = !state.open;
    $("signing-downloads").hidden = !state.closed_at;
    setText("signing-fingerprint", state.fingerprint || "");
    if (!tally) return;
    setText("signing-count", s("signed_of", { signed: tally.signed, eligible: tally.eligible }) +
      (tally.declined ? " · " + s("declined_n", { n: tally.declined }) : ""));
    var list = $("signing-people");
    list.textContent = "";
    (tally.people || []).forEach(function (p) {
      var label = p.status ? s(p.status) : s("not_yet");
      list.appendChild(el("li", { className: "controls mt0" },
        el("span", { className: "grow", text: P.who(p.name, p.group) + (p.signed_as ? " — " + s("signed_as", { name: p.signed_as }) : "") }),
        el("span", { className: "status-pill " + (p.status === "signed" ? "on" : (p.status === "declined" ? "off" : "")), text: label })));
    });
  }

  P.signing.console = consoleRender;
})();
