// Catch-up's service worker (planner/views/app.py): static files and the offline page,
// from the cache; every page from the network, never stored.
"use strict";
const CACHE = "{{ cache }}";
const OFFLINE = "{{ offline }}";
const FILES = {{ files|safe }};
const HASHED = /\.[0-9a-f]{12}\.[a-z0-9]+$/;

function fetchAndKeep(request) {
  return fetch(request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(request, copy));
    }
    return response;
  });
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(FILES.map((url) => new Request(url, { credentials: "omit" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    // A name with its content's hash never changes: the cache first. Any other (a server
    // run with DEBUG on serves plain names): the network first, the cache when offline.
    if (HASHED.test(url.pathname)) {
      event.respondWith(caches.match(request).then((hit) => hit || fetchAndKeep(request)));
    } else {
      event.respondWith(fetchAndKeep(request).catch(() => caches.match(request)));
    }
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
  }
});
