/* Plandag's service worker: the phone page and its assets load from the device when
 * the venue's network is gone (and the plan page after the day), so a reload keeps the writes waiting in the outbox and
 * shows the last known state. The server fills in VERSION and ASSETS.
 *
 * Pages and assets: network first (always the newest when there is a network), the
 * device's copy otherwise. Socket.IO and everything else go to the network untouched. */
"use strict";
var VERSION = "__VERSION__";
var ASSETS = __ASSETS__;
var CACHE = "plandag-" + VERSION;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("plandag-") === 0 && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

// The page asks to be kept: the first visit came before this worker was there.
self.addEventListener("message", function (event) {
  var path = event.data && event.data.keep;
  if (typeof path !== "string" || !isPhonePage(new URL(path, self.location.origin))) return;
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return fetch(path, { credentials: "same-origin" }).then(function (response) {
      if (response.ok) return cache.put(path, response);
    });
  }).catch(function () { /* offline: the copy we have stays */ }));
});

// The phone page, and the plan page after the day (on the phone or by a personal link).
function isPhonePage(url) {
  return /^\/j\/[A-Za-z0-9]+\/?$/.test(url.pathname) || /^\/j\/[A-Za-z0-9]+\/plan$/.test(url.pathname) ||
    /^\/plan\/[A-Za-z0-9_-]+$/.test(url.pathname);
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (isPhonePage(url)) {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(url.pathname).then(function (hit) { return hit || Response.error(); });
    }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    // Network first here too, so a new release's page never runs with old scripts; the
    // device's copy when there is no network.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(url.pathname).then(function (hit) { return hit || Response.error(); });
    }));
  }
});
