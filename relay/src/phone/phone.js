// herald, the visitor's phone: follows the office's board and alerts when the ticket typed here
// is called. The ticket lives only in this page's memory (no cookie, no storage); everything
// from the server goes in as text, never as markup.
"use strict";
(function () {
  const words = JSON.parse(document.getElementById("words").textContent);
  const fill = (key, vars) => (words[key] || key).replace(/\{\s*\$(\w+)\s*\}/g, (_, k) => (k in vars ? vars[k] : ""));
  const $ = (id) => document.getElementById(id);
  const base = location.pathname.endsWith("/") ? location.pathname : location.pathname + "/";
  const lang = document.body.dataset.lang;
  const title = document.title;
  let mine = null;          // the ticket followed, upper case
  let alerted = new Set();  // "call id:recalls" already alerted
  let last = null;
  let wakeLock = null;

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  const same = (a, b) => a.replace(/\s+/g, "").toUpperCase() === b.replace(/\s+/g, "").toUpperCase();

  function list(ul, calls) {
    ul.replaceChildren(...calls.map((c) => {
      const li = el("li", c.ticket + " → " + c.counter);
      if (mine && same(c.ticket, mine)) li.className = "mine";
      return li;
    }));
    if (!calls.length) ul.append(el("li", words["phone-no-calls"]));
  }

  function alertCall(call, again) {
    const text = fill(again ? "phone-called-again" : "phone-called", { ticket: call.ticket, counter: call.counter });
    $("called-ticket").textContent = call.ticket;
    $("called-counter").textContent = call.counter;
    $("called").hidden = false;
    document.body.classList.add("is-called");
    document.title = "▶ " + call.ticket + " → " + call.label + " — " + title;
    $("said").textContent = text;
    const sound = $("sound");
    sound.currentTime = 0;
    const played = sound.play();
    if (played && played.catch) played.catch((e) => { sound.dataset.refused = String(e && e.name); });
    if (navigator.vibrate) navigator.vibrate([400, 150, 400, 150, 400]);
    $("called").scrollIntoView({ block: "start" });
  }

  function render(state) {
    last = state;
    list($("now"), state.now);
    list($("before"), state.before);
    $("queue-part").hidden = !state.queue.length;
    $("queue").replaceChildren(...state.queue.map((q) => el("li", [q.service, q.waiting, q.minutes].filter(Boolean).join(" · "))));
    $("notices-part").hidden = !state.notices.length;
    $("notices").replaceChildren(...state.notices.map((n) => el("li", n)));
    const emergency = $("emergency");
    emergency.hidden = !state.emergency;
    if (state.emergency) emergency.replaceChildren(el("h2", state.emergency.title), el("p", state.emergency.text));
    else emergency.replaceChildren();
    if (mine) {
      const call = state.now.find((c) => same(c.ticket, mine));
      const ahead = state.queue.map((q) => q.next.findIndex((t) => same(t, mine))).find((i) => i >= 0);
      $("mine-before").textContent = !call && ahead !== undefined ? fill("phone-before-you", { count: ahead }) : "";
      if (call) {
        const key = call.id + ":" + call.recalls;
        if (!alerted.has(key)) {
          const again = [...alerted].some((k) => k.startsWith(call.id + ":"));
          alerted.add(key);
          alertCall(call, again);
        }
      }
    }
    document.body.dataset.seq = String(state.seq);
  }

  // Live: server-sent events; when a phone drops them (sleep, a bad network), the page asks
  // for the board itself every few seconds until the stream is back.
  let source = null;
  let polling = null;
  function fetchState() {
    fetch(base + "state?lang=" + encodeURIComponent(lang), { credentials: "omit", cache: "no-store" })
      .then((r) => (r.ok ? r.json() : null)).then((s) => { if (s) render(s); }).catch(() => {});
  }
  function connect() {
    if (source) source.close();
    source = new EventSource(base + "events?lang=" + encodeURIComponent(lang));
    source.addEventListener("state", (e) => {
      $("offline").hidden = true;
      if (polling) { clearInterval(polling); polling = null; }
      render(JSON.parse(e.data));
    });
    source.onerror = () => {
      $("offline").hidden = false;
      if (!polling) polling = setInterval(fetchState, 5000);
    };
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") { fetchState(); connect(); keepAwake(); }
  });

  function keepAwake() {
    if (!mine || !("wakeLock" in navigator) || wakeLock) return;
    navigator.wakeLock.request("screen").then((lock) => {
      wakeLock = lock;
      lock.addEventListener("release", () => { wakeLock = null; });
    }).catch(() => {});
  }

  $("follow-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const ticket = $("ticket").value.trim().toUpperCase();
    if (!ticket) return;
    mine = ticket;
    alerted = new Set();
    // Played once, silently, while the visitor's tap counts: the browser then lets the page
    // ring later without another tap.
    const sound = $("sound");
    sound.muted = true;
    const primed = sound.play();
    const unmute = () => { sound.pause(); sound.currentTime = 0; sound.muted = false; };
    if (primed && primed.then) primed.then(unmute, unmute); else unmute();
    $("follow-form").hidden = true;
    $("mine").hidden = false;
    $("mine-text").textContent = fill("phone-following", { ticket });
    keepAwake();
    if (last) render(last);
  });
  $("stop").addEventListener("click", () => {
    mine = null;
    alerted = new Set();
    $("mine").hidden = true;
    $("follow-form").hidden = false;
    $("called").hidden = true;
    document.body.classList.remove("is-called");
    document.title = title;
    if (wakeLock) wakeLock.release();
    if (last) render(last);
    $("ticket").focus();
  });
  $("sound").addEventListener("playing", () => {
    const s = $("sound");
    if (!s.muted) s.dataset.played = String(Number(s.dataset.played || 0) + 1);
  });

  // A ticket's own QR code may carry its number after `#t=` (never sent to the server): the
  // field is filled, and one tap follows it (the tap is what lets the page ring later).
  const scanned = /(?:^#|&)t=([A-Za-z0-9-]{1,12})/.exec(location.hash);
  if (scanned) {
    $("ticket").value = scanned[1].toUpperCase();
    $("follow-form").querySelector("button").focus();
  }

  fetchState();
  connect();
})();
