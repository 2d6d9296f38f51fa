// Catch-up: the little behaviour htmx does not cover. Everything here is an
// enhancement: each action also works as a plain form without JavaScript.
"use strict";

document.documentElement.classList.add("js");

// Queue reordering by dragging, on pointer events so that mouse, pen and touch all work.
// A mouse drags a row from anywhere but its controls; a finger drags it by its handle
// (elsewhere a finger scrolls the page). Keyboard users have the Move buttons.
(function () {
  let drag = null;
  const INTERACTIVE = "a, button, input, select, textarea, label, summary";
  const EDGE = 64; // px from the window's top or bottom where a drag scrolls the page
  const STEP = 14; // px a frame, at the very edge

  // The row under the pointer takes the dragged row's place above or below it.
  function moveTo(x, y) {
    const over = document.elementFromPoint(x, y);
    const row = over && over.closest(".queue-row");
    if (!row || row === drag.row || row.parentElement !== drag.row.parentElement) return;
    const box = row.getBoundingClientRect();
    const after = y > box.top + box.height / 2;
    row.parentElement.insertBefore(drag.row, after ? row.nextSibling : row);
  }

  // Near an edge the page scrolls, faster nearer to it, for as long as the pointer stays.
  function scrollNearEdges() {
    if (!drag || !drag.moving) return;
    const { x, y } = drag.at;
    let step = 0;
    if (y < EDGE) step = -Math.ceil(((EDGE - y) / EDGE) * STEP);
    else if (y > window.innerHeight - EDGE) step = Math.ceil(((y - window.innerHeight + EDGE) / EDGE) * STEP);
    if (step) {
      window.scrollBy(0, step);
      moveTo(x, y);
    }
    window.requestAnimationFrame(scrollNearEdges);
  }

  document.addEventListener("pointerdown", (event) => {
    if (!(event.target instanceof Element) || event.button !== 0) return;
    const row = event.target.closest(".queue-row");
    if (!row) return;
    const onHandle = event.target.closest(".drag-handle");
    if (!onHandle && (event.pointerType !== "mouse" || event.target.closest(INTERACTIVE))) return;
    drag = { row, startY: event.clientY, moving: false, pointerId: event.pointerId, at: null };
    if (onHandle) event.preventDefault();
  });

  document.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    drag.at = { x: event.clientX, y: event.clientY };
    if (!drag.moving) {
      if (Math.abs(event.clientY - drag.startY) < 6) return;
      drag.moving = true;
      drag.row.classList.add("dragging");
      document.body.classList.add("dragging-rows");
      const selection = window.getSelection();
      if (selection) selection.removeAllRanges(); // what the first pixels selected
      window.requestAnimationFrame(scrollNearEdges);
    }
    event.preventDefault();
    moveTo(event.clientX, event.clientY);
  });

  function finish(event) {
    if (!drag || event.pointerId !== drag.pointerId) return;
    const { row, moving } = drag;
    drag = null;
    document.body.classList.remove("dragging-rows");
    if (!moving) return;
    row.classList.remove("dragging");
    const list = row.parentElement;
    const order = Array.from(list.querySelectorAll(".queue-row"), (r) => r.dataset.entryId);
    // The rows are already where they were dropped; the answer only confirms it.
    htmx.ajax("POST", list.dataset.reorderUrl, {
      source: list,
      swap: "none",
      values: { order: order.join(",") },
    });
  }
  document.addEventListener("pointerup", finish);
  document.addEventListener("pointercancel", (event) => {
    if (drag && event.pointerId === drag.pointerId) drag.row.classList.remove("dragging");
    document.body.classList.remove("dragging-rows");
    drag = null;
  });
})();

// Focus after an htmx swap: back on the control that was used, or on what replaced it
// (an element saying data-replaces="<its id>"), else the first control of the new part;
// never lost to the page body.
(function () {
  let used = null;
  const FOCUSABLE =
    "a[href]:not([tabindex='-1']), button:not([disabled]), input:not([type=hidden]), select, textarea";

  document.addEventListener("htmx:beforeRequest", (event) => {
    const active = document.activeElement;
    if (!active || active === document.body) return;
    used = {
      id: active.id,
      replaced: active.dataset.replaces || "", // an Undo: back to the control it stood for
      targetId: event.detail.target && event.detail.target.id,
    };
  });

  // After every swap of the response (its main target and any out-of-band part) is done.
  document.addEventListener("htmx:afterSettle", () => {
    if (!used) return;
    const was = used;
    setTimeout(() => {
      if (used !== was) return;
      used = null;
      const active = document.activeElement;
      if (active && active !== document.body && active.isConnected) return;
      let byId = was.id && document.getElementById(was.id);
      if (byId && byId.disabled) {
        // The control is there but can't be used now (Top on what became the first row):
        // the next one in its group that can.
        const group = byId.closest("form, li");
        byId = group && group.querySelector(FOCUSABLE);
      }
      const replacement = was.id && document.querySelector(`[data-replaces="${CSS.escape(was.id)}"]`);
      const target = was.targetId && document.getElementById(was.targetId);
      const back = was.replaced && document.getElementById(was.replaced);
      const place =
        byId || back || replacement || (target && target.querySelector(FOCUSABLE)) || target;
      if (place) {
        if (!place.matches(FOCUSABLE) && !place.hasAttribute("tabindex")) place.setAttribute("tabindex", "-1");
        place.focus();
      } else {
        document.getElementById("main").focus();
      }
    }, 0);
  });
})();

// Actions that break something ask first. Without JavaScript the server asks instead,
// on a page of its own; here a dialog asks and the form then says it was confirmed.
(function () {
  let dialog = null;

  function ask(text, label, onYes) {
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "confirm-dialog";
      dialog.setAttribute("aria-labelledby", "confirm-dialog-text");
      dialog.innerHTML =
        '<form method="dialog"><p id="confirm-dialog-text"></p><div class="button-row">' +
        '<button value="yes" class="button"></button>' +
        '<button value="no" class="button button-quiet">Cancel</button></div></form>';
      document.body.appendChild(dialog);
    }
    dialog.querySelector("p").textContent = text;
    dialog.querySelector("button[value=yes]").textContent = label;
    dialog.returnValue = "";
    dialog.onclose = () => {
      if (dialog.returnValue === "yes") onYes();
    };
    dialog.showModal();
    dialog.querySelector("button[value=no]").focus();
  }

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest("button[data-confirm]");
    if (!button || !button.form) return;
    event.preventDefault();
    ask(button.dataset.confirm, button.textContent.trim(), () => {
      const yes = document.createElement("input");
      yes.type = "hidden";
      yes.name = "confirm";
      yes.value = "yes";
      button.form.appendChild(yes);
      unsaved.leaving = true;
      button.form.requestSubmit(button);
    });
  });
})();

// One request at a time, the last one winning, for forms whose answer replaces the form
// itself (the stars, the status form). htmx's own hx-sync queue lives on the old form and
// is dropped with it, losing the last click; here the waiting request is sent again,
// with what the person chose, from the form of the same data-queue-last name that
// stands on the page once the previous answer is in.
(function () {
  const busy = new Set();
  const waiting = new Map(); // name -> {values: [[field, value]], button: {name, value}}

  function send(name) {
    const wanted = waiting.get(name);
    waiting.delete(name);
    const form = wanted && document.querySelector(`form[data-queue-last="${name}"]`);
    if (!form) return; // gone from the page with the answer: nothing left to click
    htmx.process(form); // the answer's new form is processed only when it settles
    for (const field of form.elements) {
      if (!field.name || field.type === "hidden" || field.type === "submit") continue;
      const chosen = wanted.values.filter(([key]) => key === field.name).map(([, value]) => value);
      if (field.type === "checkbox" || field.type === "radio") field.checked = chosen.includes(field.value);
      else if (chosen.length) field.value = chosen[0];
    }
    const button = wanted.button && [...form.querySelectorAll("button[name]")].find(
      (b) => b.name === wanted.button.name && b.value === wanted.button.value);
    if (button) button.click();
    else if (!wanted.button) form.requestSubmit();
  }

  document.addEventListener("htmx:confirm", (event) => {
    const form = event.detail.elt;
    const name = form.dataset && form.dataset.queueLast;
    if (!name || !busy.has(name)) return;
    event.preventDefault();
    const submitter = event.detail.triggeringEvent && event.detail.triggeringEvent.submitter;
    waiting.set(name, {
      values: [...new FormData(form)],
      button: submitter && submitter.name ? { name: submitter.name, value: submitter.value } : null,
    });
  });
  document.addEventListener("htmx:beforeSend", (event) => {
    const form = event.detail.elt;
    const name = form.dataset && form.dataset.queueLast;
    if (!name) return;
    busy.add(name);
    // loadend comes after htmx has swapped the answer in (or failed): then the next.
    event.detail.xhr.addEventListener("loadend", () => {
      busy.delete(name);
      if (waiting.has(name)) send(name);
    });
  });
})();

// Typed text not saved yet: warn before the page is left. A form counts as saved when
// it is submitted, or when an autosave answered after the last keystroke.
const unsaved = { dirty: new Set(), leaving: false };
(function () {
  const WATCHED = "form[data-warn-unsaved], form[data-autosave]";
  const typedAt = new WeakMap();
  document.addEventListener("input", (event) => {
    const form = event.target instanceof Element && event.target.closest(WATCHED);
    if (!form) return;
    unsaved.dirty.add(form);
    typedAt.set(form, Date.now());
  });
  document.addEventListener("submit", () => {
    unsaved.leaving = true;
  });
  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = event.detail.elt.closest && event.detail.elt.closest(WATCHED);
    if (form) event.detail.requestConfig.sentAt = Date.now();
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt.closest && event.detail.elt.closest(WATCHED);
    const sentAt = event.detail.requestConfig && event.detail.requestConfig.sentAt;
    if (form && event.detail.successful && sentAt >= (typedAt.get(form) || 0)) {
      unsaved.dirty.delete(form);
    }
  });
  window.addEventListener("beforeunload", (event) => {
    if (unsaved.leaving || unsaved.dirty.size === 0) return;
    event.preventDefault();
    event.returnValue = "";
  });
})();

// Copy a link to the clipboard and say so; where the browser refuses, select it for
// the person's own Ctrl+C.
function copyField(field, copied, fallback) {
  const live = document.getElementById("announce");
  const say = (text) => {
    if (live) live.textContent = text;
  };
  navigator.clipboard.writeText(field.value).then(
    () => say(copied),
    () => {
      field.focus();
      field.select();
      say(fallback);
    },
  );
}

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element && event.target.closest("button[data-copy]");
  if (!button) return;
  copyField(document.getElementById(button.dataset.copy), "Link copied.",
            "Press Ctrl+C (or ⌘C) to copy the selected link.");
});

// A link made by a click and copied in the same go (the plan's calendar link). The
// browser lets a page write to the clipboard shortly after the person's click.
document.addEventListener("htmx:afterSettle", () => {
  const field = document.querySelector("[data-copy-now]");
  if (!field) return;
  field.removeAttribute("data-copy-now");
  copyField(field, "Your calendar link is made and copied: paste it into your calendar app.",
            "Your calendar link is made. Press Ctrl+C (or ⌘C) to copy it.");
});

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

// A video still that does not arrive leaves our poster (the talk's title) in its box,
// never the browser's broken-image mark. Errors do not bubble: listen while they sink.
(function () {
  const hide = (img) => {
    if (img instanceof HTMLImageElement && img.parentElement && img.parentElement.classList.contains("thumb")) {
      img.hidden = true;
    }
  };
  document.addEventListener("error", (event) => hide(event.target), true);
  // Any that failed before this script ran.
  document.querySelectorAll(".thumb img").forEach((img) => {
    if (img.complete && img.naturalWidth === 0 && img.currentSrc) hide(img);
  });
})();

// The plan's time zone: until the person types one, offer the browser's own; the names
// to pick from are fetched the first time the field is used (the page does not carry them).
document.querySelectorAll("[data-time-zone]").forEach((field) => {
  const input = field.querySelector("input");
  const list = field.querySelector("datalist");
  if (!input) return;
  if (!input.value) {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) input.value = zone;
  }
  let asked = false;
  input.addEventListener("focus", () => {
    if (asked || !list) return;
    asked = true;
    fetch(field.dataset.timeZone, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : []))
      .then((names) => {
        const options = document.createDocumentFragment();
        names.forEach((name) => {
          const option = document.createElement("option");
          option.value = name;
          options.appendChild(option);
        });
        list.replaceChildren(options);
      })
      .catch(() => {
        asked = false; // offline: try again on the next visit to the field
      });
  });
});

// Installable as an app: the service worker keeps static files and an offline page
// (never a personal page). A browser that refuses it loses nothing.
if ("serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch(() => {});
  });
}

// The message at the foot of the screen must never sit over the control the person is
// using (WCAG 2.4.11; on a phone it covered the very field a refusal was about): while a
// message shows, the page keeps that much room at its foot for scrolling into view
// (scroll-padding, so Tab and the browser's own scrolling respect it too) and the focused
// control is scrolled clear of it.
(function () {
  const live = document.getElementById("announce");
  if (!live) return;
  function keepClear() {
    const root = document.documentElement;
    if (!live.textContent.trim()) {
      root.style.scrollPaddingBottom = "";
      document.body.style.paddingBottom = "";
      return;
    }
    const message = live.getBoundingClientRect();
    const room = Math.ceil(window.innerHeight - message.top) + 8;
    root.style.scrollPaddingBottom = room + "px";
    document.body.style.paddingBottom = room + "px";
    const focused = document.activeElement;
    if (!focused || focused === document.body || live.contains(focused)) return;
    const box = focused.getBoundingClientRect();
    if (box.bottom > message.top - 8 && box.top < message.bottom) {
      focused.scrollIntoView({ block: "nearest" });
    }
  }
  new MutationObserver(() => setTimeout(keepClear, 0)).observe(live, {
    childList: true,
    characterData: true,
    subtree: true,
  });
  document.addEventListener("htmx:afterSettle", keepClear);
  window.addEventListener("resize", keepClear);
})();
