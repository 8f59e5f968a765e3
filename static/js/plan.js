/* The plan page after the day (templates/participant/plan.html), offline-tolerant:
 * - the service worker keeps the page's last copy, so without network a reload still
 *   shows the plan; the banner then says from when that copy is (the server's own time,
 *   so a phone's clock does not matter);
 * - a form is not sent while the device is offline (its text stays, forms.js);
 * - when the network is back, a copy shown offline is replaced by the current page. */
(function () {
  "use strict";
  var shell = document.querySelector(".plan-page");
  var banner = document.getElementById("plan-offline");
  if (!shell || !banner) return;
  var shownOffline = false;
  // whether the server answered the last check (navigator.onLine only knows the device's
  // own link: a venue's wifi without its server, or a browser that does not tell, says true)
  var reachable = navigator.onLine !== false;

  function show(offline) {
    banner.hidden = !offline;
    if (offline) {
      banner.textContent = banner.getAttribute("data-text");
      shownOffline = true;
    }
  }

  // Is the server there? (A page from the device's copy looks the same as a fresh one.)
  function check() {
    fetch(window.location.pathname, { method: "HEAD", cache: "no-store", credentials: "same-origin" })
      .then(function (r) {
        reachable = r.ok || r.status === 404 || r.status === 403;
        if (!reachable) return show(true);
        if (shownOffline && !document.querySelector("textarea:focus")) window.location.reload();
        else show(false);
      })
      .catch(function () { reachable = false; show(true); });
  }

  show(navigator.onLine === false);
  check();
  window.addEventListener("offline", function () { reachable = false; show(true); });
  window.addEventListener("online", check);
  window.setInterval(check, 60000);
  document.addEventListener("submit", function (event) {
    if (navigator.onLine === false || !reachable) { event.preventDefault(); show(true); check(); }
  }, true);

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      // the first visit came before the worker: ask it to keep this page
      var keep = function () {
        navigator.serviceWorker.controller.postMessage({ keep: window.location.pathname });
      };
      if (navigator.serviceWorker.controller) keep();
      else navigator.serviceWorker.addEventListener("controllerchange", keep);
    }).catch(function () { /* no worker: the page works without one */ });
  }
})();
