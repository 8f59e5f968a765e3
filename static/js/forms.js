/* Pages of server-rendered forms, no socket (the preparation, the plan after the day):
 * - what a person types stays on the device (Plandag.keepDraft, live.js) until the server
 *   took it: a refused post comes back with the text still in its box;
 * - the letters' print button opens the print dialog (paper, or "Save as PDF");
 * - an invitation on the day joins by itself, posting its form once (a mail client's link
 *   preview runs no script, so it joins nobody; after a refusal the server renders the
 *   form without data-auto, so nothing loops). */
(function () {
  "use strict";
  var P = window.Plandag;
  var SENT = "plandag:preparation-sent";

  if (P) {
    var refused = document.querySelector(".form-error[role=alert]");
    var sent = P.storage.json(SENT, null);
    P.storage.remove(SENT);
    if (sent && !sent.keys) sent = { keys: sent, id: null };  // written by an older page
    // A page that confirms writes (the plan page: it may come from the device's copy when
    // there is no network) clears a text only when the server says that very write
    // arrived (?saved=<its write id>); the others when they come back without a refusal.
    var confirms = document.querySelector("[data-confirms-writes]");
    var saved = new URLSearchParams(window.location.search).get("saved");
    var arrived = confirms ? Boolean(sent && sent.id && saved === sent.id) : !refused;
    if (sent && arrived) sent.keys.forEach(function (key) { P.storage.remove("plandag:draft:" + key); });
    Array.prototype.forEach.call(document.querySelectorAll("form[method=post]"), function (form) {
      var keys = [];
      Array.prototype.forEach.call(form.querySelectorAll("textarea, input[type=text]:not([readonly])"),
        function (field) {
          // one key per box: several forms on a page post the same field names
          var key = location.pathname + "|" + (form.getAttribute("action") || "") + "|" + (field.id || field.name);
          keys.push(key);
          P.keepDraft(field, key);
        });
      if (keys.length) form.addEventListener("submit", function () {
        var id = form.querySelector("input[name=client_id]");
        P.storage.set(SENT, JSON.stringify({ keys: keys, id: id ? id.value : null }));
      });
    });
  }

  var print = document.getElementById("print");
  if (print) print.addEventListener("click", function () { window.print(); });
  var invitation = document.getElementById("accept-invitation");
  if (invitation && invitation.dataset.auto === "yes") invitation.submit();
})();
