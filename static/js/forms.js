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
    // A page that says when it was loaded (the plan page) and is older than two minutes
    // came from the device's copy (no network): what was sent did not arrive, so the
    // texts stay in their boxes.
    var shell = document.querySelector("[data-loaded-at]");
    var fresh = !shell || Date.now() - Date.parse(shell.getAttribute("data-loaded-at")) < 120000;
    if (sent && !refused && fresh) sent.forEach(function (key) { P.storage.remove("plandag:draft:" + key); });
    Array.prototype.forEach.call(document.querySelectorAll("form[method=post]"), function (form) {
      var keys = [];
      Array.prototype.forEach.call(form.querySelectorAll("textarea, input[type=text]:not([readonly])"),
        function (field) {
          var key = location.pathname + "|" + (form.getAttribute("action") || "") + "|" + field.name;
          keys.push(key);
          P.keepDraft(field, key);
        });
      if (keys.length) form.addEventListener("submit", function () {
        P.storage.set(SENT, JSON.stringify(keys));
      });
    });
  }

  var print = document.getElementById("print");
  if (print) print.addEventListener("click", function () { window.print(); });
  var invitation = document.getElementById("accept-invitation");
  if (invitation && invitation.dataset.auto === "yes") invitation.submit();
})();
