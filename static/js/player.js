// The talk page's player: YouTube through the IFrame Player API on youtube-nocookie.com,
// a plain video file through <video>. Until the person presses play, the page has our
// own poster and a real button, and nothing is fetched from the video host.
//
// The rules of the IFrame Player API this follows (its reference): a rate suggested
// before playback has no effect and unsupported rates are rounded toward 1, so the
// speed is applied when the player reports PLAYING (again after a video change) and the
// rate shown is the one the player reports; getDuration() is 0 until playback starts.
"use strict";

(function () {
  const box = document.querySelector("[data-player]");
  if (!box) return;
  const SPEEDS = [1, 1.25, 1.5, 1.75, 2];
  const SAVE_EVERY = 15000; // ms between progress saves while playing
  // Watched at the end, or once what is left is under the tail: the last 2 minutes or
  // the last 5%, whichever is less (credits and Q&A fade-outs; a 2-hour keynote is not
  // done with 12 minutes to go). The person can always press Mark watched.
  const TAIL_SECONDS = 120;
  const TAIL_SHARE = 0.05;
  const RETRY_AFTER = 1000; // ms: the server takes one save a second per talk
  const LOAD_TIMEOUT = 8000; // ms: a player not ready by then is not coming
  const PRESS_PLAY_AFTER = 4000; // ms: ready but not playing (the browser held autoplay)
  // The IFrame Player API's onError codes, in words.
  const YOUTUBE_ERRORS = {
    2: "YouTube did not accept this video's address.",
    5: "YouTube's player cannot play this video in this browser.",
    100: "YouTube says this video was removed or made private.",
    101: "The video's owner does not allow it to be played outside YouTube.",
    150: "The video's owner does not allow it to be played outside YouTube.",
    153: "YouTube refused to play it here without knowing the page.",
  };
  const stage = document.getElementById("player-stage");
  const playButton = document.getElementById("player-play");
  const status = document.getElementById("player-status");
  const offer = document.getElementById("player-offer");
  const next = document.getElementById("player-next");
  const title = document.querySelector("h1") ? document.querySelector("h1").textContent : "";
  let preferred = Number(box.dataset.speed) / 100 || 1.5;
  let start = Number(box.dataset.start) || 0;
  let player = null; // the adapter over the YouTube or <video> player
  let applied = false; // the person's speed was set since playback (re)started
  let ours = false; // a rate change now comes from our own request, not from the person
  let watched = box.hasAttribute("data-watched");
  let lastSaved = -1;
  let saveTimer = null;
  let endTimer = null;
  let retryTimer = null;
  let loadTimer = null;
  let pressTimer = null;
  let started = false; // playback has begun at least once
  const noteAt = document.getElementById("note-at");

  function csrf() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function say(text) {
    status.textContent = text;
  }

  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const two = (n) => String(n).padStart(2, "0");
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return h ? h + ":" + two(m) + ":" + two(s % 60) : m + ":" + two(s % 60);
  }

  function now() {
    try {
      return player ? player.time() : start;
    } catch (error) {
      return start; // a player that failed half-way
    }
  }

  // The player will not play: say why in words, with the host's own page at this second,
  // and leave the rest of the page as it is.
  function failed(why) {
    window.clearTimeout(loadTimer);
    window.clearTimeout(pressTimer);
    window.clearInterval(saveTimer);
    const at = Math.floor(now());
    const link = document.createElement("a");
    link.href = at > 0 ? box.dataset.hostLink.replace("999999999", String(at)) : box.dataset.hostUrl;
    link.rel = "noopener noreferrer";
    link.textContent =
      "Open the video on " + box.dataset.host + (at > 0 ? " at " + clock(at) : "");
    status.replaceChildren(why + " ", link, ".");
    status.classList.add("player-failed");
    box.classList.add("player-broken");
  }

  function ready() {
    window.clearTimeout(loadTimer);
    pressTimer = window.setTimeout(() => {
      if (!started) say("Press play in the video to start.");
    }, PRESS_PLAY_AFTER);
  }

  function label(rate) {
    return String(rate).replace(/\.?0+$/, "") + "x";
  }

  // Progress: the CSRF token goes in the body, so that sendBeacon (which cannot send
  // headers) works when the page is being hidden or closed.
  function save(beacon) {
    const url = box.dataset.progressUrl;
    if (!player || !url || watched) return;
    const position = Math.floor(player.time());
    if (position === lastSaved) return;
    lastSaved = position;
    const body = new FormData();
    body.append("csrfmiddlewaretoken", csrf());
    body.append("position", String(position));
    const duration = Math.round(player.duration());
    if (duration > 0) body.append("duration", String(duration));
    if (beacon && navigator.sendBeacon) {
      navigator.sendBeacon(url, body);
    } else {
      fetch(url, { method: "POST", body: body, credentials: "same-origin" })
        .then((response) => {
          if (response.ok) return;
          lastSaved = -1;
          // Too soon after the last save (a pause just after the timer's save): try again
          // in a moment, so the position a person paused at is never lost.
          if (response.status === 429) {
            window.clearTimeout(retryTimer);
            retryTimer = window.setTimeout(() => save(false), RETRY_AFTER);
          }
        })
        .catch(() => {
          lastSaved = -1;
        });
    }
  }

  function checkEnd() {
    if (!player || watched) return;
    const duration = player.duration();
    const tail = Math.min(TAIL_SECONDS, TAIL_SHARE * duration);
    if (duration > 0 && duration - player.time() <= tail) markWatched();
  }

  function markWatched() {
    if (watched) return;
    save(false);
    watched = true;
    // The page's own "Mark watched" control: its answer says so and offers Undo.
    const button = document.getElementById("watched-" + box.dataset.talk);
    if (button) button.click();
    say("Marked watched today.");
    if (next) next.hidden = false;
  }

  function stateChanged(state) {
    if (state === "playing") {
      started = true;
      status.classList.remove("player-failed");
      if (noteAt) noteAt.hidden = false;
      if (!applied) {
        applied = true;
        ours = true;
        player.setRate(preferred);
        // The player may round the rate, or keep it: either way say what is in effect.
        window.setTimeout(() => {
          ours = false;
          showRate(preferred);
        }, 250);
      }
      save(false);
      window.clearInterval(saveTimer);
      saveTimer = window.setInterval(() => save(false), SAVE_EVERY);
      window.clearInterval(endTimer);
      endTimer = window.setInterval(checkEnd, 1000);
    } else if (state === "paused") {
      window.clearInterval(saveTimer);
      save(false);
      checkEnd();
    } else if (state === "ended") {
      window.clearInterval(saveTimer);
      window.clearInterval(endTimer);
      markWatched();
    } else if (state === "unstarted") {
      applied = false; // a new video: the player is back at 1x
    }
  }

  function showRate(asked) {
    if (!player) return;
    const rate = player.rate();
    let text = "Playing at " + label(rate);
    if (asked && rate !== asked) text += " (this video does not offer " + label(asked) + ")";
    say(text + ".");
  }

  function rateChanged(rate) {
    if (ours) return; // our own request: said once it has settled
    showRate(null);
    if (rate !== preferred && box.dataset.speedUrl && SPEEDS.includes(rate)) offerDefault(rate);
  }

  function offerDefault(rate) {
    offer.replaceChildren();
    offer.append("Keep " + label(rate) + " as your speed for every talk? ");
    const keep = document.createElement("button");
    keep.type = "button";
    keep.className = "button button-small";
    keep.textContent = "Keep " + label(rate);
    const no = document.createElement("button");
    no.type = "button";
    no.className = "button button-quiet button-small";
    no.textContent = "Only here";
    keep.addEventListener("click", () => {
      const body = new FormData();
      body.append("csrfmiddlewaretoken", csrf());
      body.append("speed_percent", String(Math.round(rate * 100)));
      fetch(box.dataset.speedUrl, { method: "POST", body: body, credentials: "same-origin" })
        .then((response) => {
          if (!response.ok) throw new Error(String(response.status));
          preferred = rate;
          offer.hidden = true;
          say("Your speed is now " + label(rate) + ".");
        })
        .catch(() => say("Your speed was not saved. Try again in Settings."));
    });
    no.addEventListener("click", () => {
      offer.hidden = true;
    });
    offer.append(keep, " ", no);
    offer.hidden = false;
  }

  function youtube() {
    const frame = document.createElement("iframe");
    frame.id = "player-frame";
    frame.title = "Video player: " + title;
    frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
    frame.allowFullscreen = true;
    // With Django's same-origin default the host sees no referrer and refuses (error 153).
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    const source = new URL(box.dataset.source);
    source.searchParams.set("autoplay", "1");
    if (start) source.searchParams.set("start", String(start));
    frame.src = source.toString();
    stage.replaceChildren(frame);
    window.onYouTubeIframeAPIReady = function () {
      const states = { "-1": "unstarted", 0: "ended", 1: "playing", 2: "paused" };
      const yt = new window.YT.Player(frame, {
        events: {
          onReady: () => {
            ready();
            yt.playVideo();
          },
          onError: (event) =>
            failed(YOUTUBE_ERRORS[event.data] || "YouTube cannot play this video (error " + event.data + ")."),
          onStateChange: (event) => stateChanged(states[event.data]),
          onPlaybackRateChange: (event) => rateChanged(event.data),
        },
      });
      player = {
        play: () => yt.playVideo(),
        pause: () => yt.pauseVideo(),
        playing: () => yt.getPlayerState() === 1,
        time: () => yt.getCurrentTime() || 0,
        duration: () => yt.getDuration() || 0,
        seek: (seconds) => yt.seekTo(Math.max(0, seconds), true),
        rate: () => yt.getPlaybackRate(),
        setRate: (rate) => yt.setPlaybackRate(rate),
      };
    };
    const script = document.createElement("script");
    script.src = "https://www.youtube.com/iframe_api";
    script.addEventListener("error", () => failed("YouTube didn't answer."));
    document.head.append(script);
  }

  // A talk with its video in several languages (media.ccc.de): unless the person chose
  // one (?audio=), the browser's language where a file offers it, else the server's
  // choice (the talk's own language). The Audio links say which one plays.
  function fileSource() {
    const data = box.dataset.files && document.getElementById(box.dataset.files);
    if (!data) return box.dataset.source;
    const files = JSON.parse(data.textContent);
    for (const tag of navigator.languages || [navigator.language]) {
      const lang = String(tag).slice(0, 2).toLowerCase();
      const offered = files.filter((f) => f.lang === lang).sort((a, b) => a.both - b.both);
      if (offered.length) return offered[0].src;
    }
    return box.dataset.source;
  }

  function file() {
    const video = document.createElement("video");
    video.controls = true;
    video.preload = "metadata";
    video.src = fileSource();
    for (const link of document.querySelectorAll(".player-audio a[data-src]")) {
      if (link.dataset.src === video.src) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    }
    video.setAttribute("aria-label", "Video: " + title);
    stage.replaceChildren(video);
    video.addEventListener("loadedmetadata", () => {
      window.clearTimeout(loadTimer);
      if (start) video.currentTime = start;
      video.play().catch(() => {
        if (!started) say("Press play in the video to start.");
      });
    });
    video.addEventListener("error", () => failed("The video file did not load."));
    video.addEventListener("playing", () => stateChanged("playing"));
    video.addEventListener("pause", () => {
      if (!video.ended) stateChanged("paused");
    });
    video.addEventListener("ended", () => stateChanged("ended"));
    video.addEventListener("ratechange", () => rateChanged(video.playbackRate));
    player = {
      play: () => video.play(),
      pause: () => video.pause(),
      playing: () => !video.paused,
      time: () => video.currentTime || 0,
      duration: () => (Number.isFinite(video.duration) ? video.duration : 0),
      seek: (seconds) => {
        video.currentTime = Math.max(0, seconds);
      },
      rate: () => video.playbackRate,
      setRate: (rate) => {
        video.playbackRate = rate;
      },
    };
    video.focus();
  }

  function begin() {
    if (stage.querySelector("iframe, video")) return;
    playButton.hidden = true;
    say("Loading the player…");
    const host = box.dataset.provider === "youtube" ? "YouTube" : "The video's host";
    loadTimer = window.setTimeout(() => failed(host + " didn't answer."), LOAD_TIMEOUT);
    if (box.dataset.provider === "youtube") youtube();
    else file();
  }

  playButton.addEventListener("click", begin);

  // The status box changed (a resume time typed, marked watched): until the player is in,
  // its button starts where the record now says.
  document.addEventListener("htmx:afterSettle", () => {
    const record = document.querySelector("#status[data-resume]");
    if (player || !record) return;
    start = Number(record.dataset.resume) || 0;
    playButton.textContent =
      "▶ Play here at " + label(preferred) + (start ? " from " + clock(start) : "");
  });

  // A Watch or Resume button elsewhere opens this page at #play (or #play=<second>):
  // the player starts at once, where the person stopped or at that second.
  function fromAddress() {
    const wanted = window.location.hash.match(/^#play(?:=(\d+))?$/);
    if (!wanted) return;
    history.replaceState(null, "", window.location.pathname + window.location.search);
    if (wanted[1] !== undefined) start = Number(wanted[1]);
    if (player) {
      if (wanted[1] !== undefined) player.seek(start);
      player.play();
    } else {
      begin();
    }
    box.scrollIntoView({ block: "nearest" });
  }
  window.addEventListener("hashchange", fromAddress);
  fromAddress();

  // The transcript follows the video: the passage being said is marked (aria-current)
  // and kept in view inside its own box, until the person scrolls it themselves; "Follow
  // the video" turns that back on. "Quote" puts that passage into the note, with its time.
  const said = Array.from(document.querySelectorAll(".transcript-passages li[data-start]"));
  const follow = document.querySelector("[data-follow]");
  let current = null;
  function markSaid() {
    if (!player || !said.length) return;
    const now = player.time();
    let found = null;
    for (const li of said) {
      if (Number(li.dataset.start) <= now) found = li;
      else break;
    }
    if (found === current) return;
    if (current) {
      current.classList.remove("is-current");
      current.removeAttribute("aria-current");
    }
    current = found;
    if (!current) return;
    current.classList.add("is-current");
    current.setAttribute("aria-current", "true");
    if (follow && follow.checked) {
      const list = current.parentElement;
      list.scrollTop = current.offsetTop - list.offsetTop - list.clientHeight / 3;
    }
  }
  if (said.length) {
    window.setInterval(markSaid, 500);
    const list = said[0].parentElement;
    // The person's own scrolling (wheel, touch, keys on the box) stops the following.
    for (const kind of ["wheel", "touchmove", "keydown"]) {
      list.addEventListener(kind, () => {
        if (follow) follow.checked = false;
      }, { passive: true });
    }
  }
  // A passage into the note as `12:04 “…”` on a line of its own (planner.notes.quoted
  // writes the same line when the Quote button is pressed without JavaScript).
  function quoteInto(passage) {
    const field = document.querySelector(".note-form textarea");
    if (!field || !passage) return;
    const time = passage.querySelector(".transcript-time").textContent.trim();
    const words = passage.querySelector(".passage-text").textContent.trim();
    const text = field.value;
    const lead = text === "" || text.endsWith("\n") ? "" : "\n";
    field.value = text + lead + time + " “" + words + "”\n";
    field.focus();
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }
  const quote = document.querySelector("[data-quote]");
  if (quote) quote.addEventListener("click", () => quoteInto(current || said[0]));
  for (const button of document.querySelectorAll(".quote-button")) {
    button.addEventListener("click", (event) => {
      event.preventDefault(); // into the field, saved as typing is: not a form post
      quoteInto(button.closest("li"));
    });
  }

  // "Note at 12:34": the current second on a line of its own in the note, where the
  // cursor is; the note turns it into a link to that moment.
  if (noteAt) {
    const field = document.querySelector(".note-form textarea");
    const show = () => {
      noteAt.textContent = "Note at " + clock(now());
    };
    window.setInterval(() => {
      if (player && !noteAt.hidden) show();
    }, 1000);
    noteAt.addEventListener("click", () => {
      show();
      const stamp = clock(now()) + " ";
      const text = field.value;
      const at = field.selectionStart === undefined ? text.length : field.selectionStart;
      const before = text.slice(0, at);
      const lead = before === "" || before.endsWith("\n") ? "" : "\n";
      field.setRangeText(lead + stamp, at, field.selectionEnd, "end");
      field.focus();
      field.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save(true);
  });
  window.addEventListener("pagehide", () => save(true));

  // Shortcuts, listed on the page; never while typing in a field.
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target instanceof Element ? event.target : null;
    if (target && target.closest("input, textarea, select, [contenteditable]")) return;
    const key = event.key;
    if (key === " " && target && target.closest("button, a, summary")) return;
    if (!["k", " ", "j", "l", "[", "]"].includes(key)) return;
    event.preventDefault();
    if (!player) {
      if (key === "k" || key === " ") begin();
      return;
    }
    if (key === "k" || key === " ") {
      if (player.playing()) player.pause();
      else player.play();
    } else if (key === "j") {
      player.seek(player.time() - 10);
    } else if (key === "l") {
      player.seek(player.time() + 10);
    } else {
      const now = player.rate();
      const index = SPEEDS.findIndex((rate) => rate >= now - 0.001);
      const step = key === "]" ? 1 : -1;
      const rate = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, (index < 0 ? 0 : index) + step))];
      player.setRate(rate);
    }
  });

  // A timestamp link in a note or a transcript (12:34) seeks the player instead of
  // leaving the page;
  // so does the page's own Resume link.
  document.addEventListener("click", (event) => {
    const resume = event.target instanceof Element && event.target.closest("a[data-play-here]");
    if (resume) {
      event.preventDefault();
      if (player) player.play();
      else begin();
      return;
    }
    const link =
      event.target instanceof Element && event.target.closest(".note-preview a[href], .transcript a[href]");
    if (!link) return;
    const url = new URL(link.href);
    const seconds = Number(
      url.searchParams.get("t") || (url.hash.match(/^#t=(\d+)/) || [])[1] || NaN,
    );
    const here =
      box.dataset.provider === "youtube"
        ? url.hostname === "youtu.be" && box.dataset.source.includes("/embed" + url.pathname + "?")
        : link.href.split("#")[0] === box.dataset.source;
    if (!here || !Number.isFinite(seconds)) return;
    event.preventDefault();
    if (player) {
      player.seek(seconds);
      player.play();
    } else {
      start = seconds;
      begin();
    }
  });
})();
