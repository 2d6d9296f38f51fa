// A stand-in for https://www.youtube.com/iframe_api in offline browser tests. It follows
// the IFrame Player API reference (developers.google.com/youtube/iframe_api_reference)
// where our player depends on it:
// - YT.Player(iframe, {events}) attaches to an <iframe> the page wrote itself and fires
//   onReady; the states are YT.PlayerState (-1 unstarted, 0 ended, 1 playing, 2 paused).
// - setPlaybackRate(rate) is only a suggestion: before playback starts it has no effect;
//   a rate the video does not offer is rounded to a supported one in the direction of 1;
//   when the rate does change, onPlaybackRateChange fires with the new rate.
// - getDuration() is 0 until playback has started (the metadata is not loaded yet).
// - loadVideoById() (a video change) resets the rate to 1.
// - onYouTubeIframeAPIReady() is called once the API has loaded.
// - onError fires with one of the documented codes (2 invalid parameter, 5 HTML5 player
//   error, 100 removed or private, 101/150 embedding not allowed) when the video cannot
//   be played: here, when it is asked to play (`error` in the config). `neverReady`
//   stands for a frame that never loads: onReady is not fired.
// - Browsers may refuse scripted playback before the person has pressed play in the
//   frame (the reference's note on autoplay): with `holdAutoplay`, playVideo() does
//   nothing until personPresses().
// Time moves with the page's clock (Playwright's clock in the tests): 250 ms ticks.
(function () {
  const config = Object.assign(
    { duration: 600, rates: [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2] },
    window.__fakeYouTubeConfig || {},
  );
  const calls = [];
  const State = { UNSTARTED: -1, ENDED: 0, PLAYING: 1, PAUSED: 2, BUFFERING: 3, CUED: 5 };

  function Player(element, options) {
    const frame = typeof element === "string" ? document.getElementById(element) : element;
    const events = (options && options.events) || {};
    const start = Number(new URL(frame.src).searchParams.get("start") || 0);
    let state = State.UNSTARTED;
    let time = start;
    let rate = 1;
    let started = false;
    let timer = null;
    let pressed = false;
    const fire = (name, data) => events[name] && events[name]({ target: this, data: data });
    const setState = (next) => {
      state = next;
      fire("onStateChange", next);
    };
    const tick = () => {
      time = Math.min(config.duration, time + 0.25 * rate);
      if (time >= config.duration) {
        window.clearInterval(timer);
        setState(State.ENDED);
      }
    };
    this.playVideo = () => {
      calls.push(["playVideo"]);
      if (config.holdAutoplay && !pressed) return;
      if (config.error) {
        window.setTimeout(() => fire("onError", config.error), 0);
        return;
      }
      if (state === State.PLAYING) return;
      started = true;
      timer = window.setInterval(tick, 250);
      setState(State.PLAYING);
    };
    this.pauseVideo = () => {
      calls.push(["pauseVideo"]);
      window.clearInterval(timer);
      setState(State.PAUSED);
    };
    this.seekTo = (seconds) => {
      calls.push(["seekTo", seconds]);
      time = Math.max(0, Math.min(config.duration, seconds));
    };
    this.getCurrentTime = () => time;
    this.getDuration = () => (started ? config.duration : 0);
    this.getPlayerState = () => state;
    this.getPlaybackRate = () => rate;
    this.getAvailablePlaybackRates = () => config.rates.slice();
    this.getIframe = () => frame;
    this.setPlaybackRate = (suggested) => {
      calls.push(["setPlaybackRate", suggested, state]);
      if (!started) return; // a suggestion before playback has no effect
      let chosen = config.rates.includes(suggested) ? suggested : null;
      if (chosen === null) {
        // Round to a supported rate in the direction of 1.
        const toward = config.rates.filter((r) => (suggested > 1 ? r >= 1 && r < suggested : r <= 1 && r > suggested));
        chosen = suggested > 1 ? Math.max(...toward, 1) : Math.min(...toward, 1);
      }
      if (chosen !== rate) {
        rate = chosen;
        window.setTimeout(() => fire("onPlaybackRateChange", rate), 0);
      }
    };
    this.loadVideoById = (id, at) => {
      calls.push(["loadVideoById", id]);
      time = at || 0;
      rate = 1;
      started = false;
      setState(State.UNSTARTED);
    };
    // What a person does in the player's own controls, for the tests.
    window.__fakeYouTube.player = this;
    window.__fakeYouTube.personPresses = () => {
      pressed = true;
      this.playVideo();
    };
    window.__fakeYouTube.personSetsRate = (r) => {
      rate = r;
      fire("onPlaybackRateChange", r);
    };
    if (!config.neverReady) window.setTimeout(() => fire("onReady"), 0);
  }

  window.__fakeYouTube = { calls: calls, player: null };
  window.YT = { Player: Player, PlayerState: State, loaded: 1 };
  window.setTimeout(() => window.onYouTubeIframeAPIReady && window.onYouTubeIframeAPIReady(), 0);
})();
