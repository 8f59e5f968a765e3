/* The plan page after the day (templates/participant/plan.html), offline-tolerant:
 * - the service worker keeps the page's last copy, so without network a reload still
 *   shows the plan; the banner then says from when that copy is;
 * - a form is not sent while the device is offline (its text stays, forms.js);
 * - when the network is back, a copy from earlier is replaced by the current page. */
(function () {
  "use strict";
  var shell = document.querySelector(".plan-page");
  var banner = document.getElementById("plan-offline");
  if (!shell || !banner) return;
  var loaded = new Date(shell.getAttribute("data-loaded-at"));
  var copy = Date.now() - loaded.getTime() > 120000;

  function show(offline) {
    banner.hidden = !offline;
    // the time is the server's, in the plan's own time zone (as on the rest of the page)
    if (offline) banner.textContent = banner.getAttribute("data-text");
  }

  function check() {
    fetch(window.location.pathname, { method: "HEAD", cache: "no-store", credentials: "same-origin" })
      .then(function (r) { if (copy && r.ok) window.location.reload(); else show(!r.ok && r.status >= 500); })
      .catch(function () { show(true); });
  }

  show(!navigator.onLine || copy);
  window.addEventListener("offline", function () { show(true); });
  window.addEventListener("online", check);
  window.setInterval(check, 60000);
  if (copy) check();
  document.addEventListener("submit", function (event) {
    if (navigator.onLine === false) { event.preventDefault(); show(true); }
  }, true);

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      // the first visit came before the worker: ask it to keep this page
      if (navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ keep: window.location.pathname });
      } else {
        navigator.serviceWorker.addEventListener("controllerchange", function () {
          navigator.serviceWorker.controller.postMessage({ keep: window.location.pathname });
        });
      }
    }).catch(function () { /* no worker: the page works without one */ });
  }
})();
