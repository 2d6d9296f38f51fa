// Catch-up: the little behaviour htmx does not cover. Everything here is an
// enhancement: each action also works as a plain form without JavaScript.
"use strict";

// Queue reordering by drag and drop, on the browser's native events.
// Keyboard users have the Move buttons on every row.
(function () {
  let dragged = null;

  function rowFrom(event) {
    return event.target instanceof Element ? event.target.closest(".queue-row") : null;
  }

  document.addEventListener("dragstart", (event) => {
    const row = rowFrom(event);
    if (!row) return;
    dragged = row;
    row.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.entryId);
  });

  document.addEventListener("dragover", (event) => {
    const row = rowFrom(event);
    if (!dragged || !row || row.parentElement !== dragged.parentElement) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (row === dragged) return;
    const box = row.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    row.parentElement.insertBefore(dragged, after ? row.nextSibling : row);
  });

  document.addEventListener("drop", (event) => {
    if (!dragged) return;
    event.preventDefault();
    const list = dragged.parentElement;
    const order = Array.from(list.querySelectorAll(".queue-row"), (r) => r.dataset.entryId);
    dragged.classList.remove("dragging");
    dragged = null;
    // The rows are already where they were dropped; the answer only confirms it.
    htmx.ajax("POST", list.dataset.reorderUrl, {
      source: list,
      swap: "none",
      values: { order: order.join(",") },
    });
  });

  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
  });
})();

// Note autosave: htmx posts as the person types; say so when a save fails,
// and keep their text in the box whatever happens.
(function () {
  function noteStatus(event) {
    const form = event.detail && event.detail.elt && event.detail.elt.closest("form[data-autosave]");
    return form ? form.querySelector(".note-status") : null;
  }

  document.addEventListener("htmx:beforeRequest", (event) => {
    const status = noteStatus(event);
    if (status) {
      status.classList.remove("note-status-error");
      status.textContent = "Saving…";
    }
  });

  function failed(event, why) {
    const status = noteStatus(event);
    if (!status) return;
    status.classList.add("note-status-error");
    status.textContent = "Not saved: " + why + " Your text is still here; try Save note again.";
    const live = document.getElementById("announce");
    if (live) live.textContent = status.textContent;
  }

  document.addEventListener("htmx:sendError", (event) => failed(event, "the server could not be reached."));
  document.addEventListener("htmx:responseError", (event) => failed(event, "the server had a problem."));
})();

// Any other failed htmx action: say so in the live region instead of doing nothing.
document.addEventListener("htmx:responseError", (event) => {
  const form = event.detail.elt && event.detail.elt.closest("form[data-autosave]");
  if (form) return; // the note box reports its own failures
  const live = document.getElementById("announce");
  const status = event.detail.xhr ? event.detail.xhr.status : 0;
  if (live) {
    live.textContent =
      status === 404
        ? "That item no longer exists. Reload the page to see the current state."
        : "That did not work (error " + status + "). Reload the page and try again.";
  }
});
document.addEventListener("htmx:sendError", (event) => {
  const form = event.detail.elt && event.detail.elt.closest("form[data-autosave]");
  if (form) return;
  const live = document.getElementById("announce");
  if (live) live.textContent = "Could not reach the server. Check your connection and try again.";
});
