// herald console: fills the page from /console/api and follows /console/events.
// Everything from the server goes in as text (textContent), never as markup.
"use strict";
(function () {
  const body = document.body;
  const words = JSON.parse(document.getElementById("words").textContent);
  const w = (key) => words[key] || key;
  const csrf = body.dataset.csrf;
  const content = document.getElementById("content");
  const summary = document.getElementById("summary");

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function stateCell(d) {
    const td = el("td");
    td.append(el("span", d.state_text, "state state-" + d.state));
    if (d.alert) td.append(el("span", w("console-alert"), "alert"));
    return td;
  }

  function picture(d, large) {
    if (!d.thumbnail) return el("span", w("console-no-picture"));
    const img = el("img");
    img.src = d.thumbnail;
    img.alt = w("console-picture") + ": " + d.shown;
    if (large) img.width = 960;
    return img;
  }

  function renderList(data) {
    summary.textContent = data.summary;
    const tables = [];
    let any = false;
    for (const office of data.offices) {
      const table = el("table");
      table.dataset.office = office.id;
      const caption = el("caption", office.name + " ");
      caption.append(el("span", office.open ? w("console-open") : w("console-closed-now"), "hours"));
      const steer = el("a", w("console-office-link"), "steer");
      steer.href = "/console/office/" + encodeURIComponent(office.id);
      caption.append(" ", steer);
      table.append(caption);
      const head = el("tr");
      for (const k of ["console-picture", "console-display", "console-state", "console-last-seen",
                       "console-version", "console-layout", "console-scope", "console-voice",
                       "console-last-call"]) {
        const th = el("th", w(k));
        th.scope = "col";
        head.append(th);
      }
      const thead = el("thead");
      thead.append(head);
      table.append(thead);
      const tbody = el("tbody");
      for (const d of office.displays) {
        any = true;
        const tr = el("tr");
        tr.dataset.display = d.display;
        tr.dataset.state = d.state;
        const pic = el("td", null, "picture");
        pic.append(picture(d, false));
        const name = el("td", null, "text");
        const a = el("a", d.shown);
        a.href = d.link;
        name.append(a);
        tr.append(pic, name, stateCell(d), el("td", d.last_seen), el("td", d.version, "text"),
                  el("td", d.layout, "text"), el("td", d.scope, "text"), el("td", d.voice, "text"),
                  el("td", d.last_call, "text"));
        tbody.append(tr);
      }
      table.append(tbody);
      tables.push(table);
    }
    content.replaceChildren(...tables);
    if (!any) content.append(el("p", w("console-no-displays")));
  }

  function row(dl, key, value) {
    if (value === undefined || value === null || value === "") return;
    dl.append(el("dt", w(key)), el("dd", value, "text"));
  }

  function table(captionKey, columns, rows) {
    const t = el("table");
    t.append(el("caption", w(captionKey)));
    const head = el("tr");
    for (const c of columns) { const th = el("th", w(c[0])); th.scope = "col"; head.append(th); }
    const thead = el("thead"); thead.append(head); t.append(thead);
    const tbody = el("tbody");
    for (const r of rows) {
      const tr = el("tr");
      for (const c of columns) tr.append(el("td", r[c[1]], "text"));
      tbody.append(tr);
    }
    t.append(tbody);
    return t;
  }

  function renderDisplay(d) {
    summary.replaceChildren(el("span", d.state_text, "state state-" + d.state));
    if (d.alert) summary.append(el("span", w("console-alert"), "alert"));
    const parts = [];
    // One button for the page's life: a re-render must not swap it under a pointer.
    if (!refreshButton) {
      refreshButton = el("button", w("console-refresh-picture"));
      refreshButton.type = "button";
      refreshButton.id = "refresh-picture";
      refreshButton.addEventListener("click", () => {
        fetch("/console/api/thumbnail/" + encodeURIComponent(body.dataset.office) + "/" +
              encodeURIComponent(body.dataset.display),
              { method: "POST", headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" });
      });
    }
    const refresh = refreshButton;
    // The test call form, kept across re-renders as the button is.
    if (!testForm) {
      testForm = el("form", null, "test-call");
      testForm.id = "test-call";
      const field = (id, key, value) => {
        const label = el("label", w(key));
        label.htmlFor = id;
        const input = el("input");
        input.id = id;
        input.name = id.replace("test-", "");
        input.value = value;
        input.required = true;
        input.maxLength = 12;
        input.size = 6;
        testForm.append(label, input);
      };
      field("test-ticket", "console-ticket", "T001");
      field("test-counter", "console-counter", "1");
      const send = el("button", w("console-test-call"));
      send.type = "submit";
      const said = el("span", "", "said");
      said.id = "test-call-said";
      said.setAttribute("role", "status");
      testForm.append(send, said);
      testForm.addEventListener("submit", (e) => {
        e.preventDefault();
        const data = new URLSearchParams(new FormData(testForm));
        fetch("/console/api/test-call/" + encodeURIComponent(body.dataset.office) + "/" +
              encodeURIComponent(body.dataset.display),
              { method: "POST", headers: { "X-CSRF-Token": csrf }, body: data, credentials: "same-origin" })
          .then((r) => r.json().then((j) => { said.textContent = r.ok ? w("console-test-call-sent") : (j.error || r.status); }));
      });
    }
    // The form and the picture stay in place across redraws: a node taken out and put back
    // between a pointer's down and up loses the click (a report arriving mid-click).
    if (!fixedPart) {
      fixedPart = el("div");
      pictureHolder = el("div");
      const pic = el("div", null, "picture-large");
      pic.append(refresh, pictureHolder);
      fixedPart.append(testForm, pic);
      detailsPart = el("div");
      content.replaceChildren(fixedPart, detailsPart);
    }
    const shownPicture = pictureHolder.firstChild;
    const newPicture = picture(d, true);
    if (!shownPicture || shownPicture.tagName !== newPicture.tagName || shownPicture.src !== newPicture.src) {
      pictureHolder.replaceChildren(newPicture);
    }
    const dl = el("dl");
    row(dl, "console-last-seen", d.last_seen);
    row(dl, "console-version", d.version);
    row(dl, "console-layout", d.layout);
    row(dl, "console-scope", d.scope);
    row(dl, "console-languages", d.languages);
    row(dl, "console-feed", d.feed + (d.last_seq != null ? " (#" + d.last_seq + ")" : ""));
    row(dl, "console-voice", d.voice_problem ? d.voice + " — " + d.voice_problem : d.voice);
    row(dl, "console-last-call", d.last_call);
    if (d.uptime_seconds != null) row(dl, "console-uptime", Math.round(d.uptime_seconds / 60) + " min");
    if (d.clock_offset_seconds != null) row(dl, "console-clock", d.clock_offset_seconds.toFixed(1) + " s");
    parts.push(dl);
    if (d.errors && d.errors.length) parts.push(table("console-errors", [["console-at", "at"], ["console-state", "kind"], ["console-events", "text"]], d.errors));
    parts.push(table("console-history", [["console-at", "at"], ["console-state", "state"], ["console-events", "detail"]], d.history || []));
    parts.push(table("console-events", [["console-at", "at"], ["console-events", "text"]], d.events || []));
    detailsPart.replaceChildren(...parts);
  }

  let pending = null;
  let refreshButton = null;
  let testForm = null;
  let fixedPart = null;
  let pictureHolder = null;
  let detailsPart = null;
  function load() {
    pending = null;
    let url;
    if (body.dataset.page === "list") url = "/console/api/displays";
    else if (body.dataset.page === "display")
      url = "/console/api/display/" + encodeURIComponent(body.dataset.office) + "/" + encodeURIComponent(body.dataset.display);
    else return;
    fetch(url, { credentials: "same-origin" }).then((r) => {
      if (r.status === 401) { location.href = "/console/login"; return null; }
      if (r.status === 404) { content.replaceChildren(el("p", w("console-not-found"))); return null; }
      return r.json();
    }).then((data) => {
      if (!data) return;
      if (body.dataset.page === "list") renderList(data); else renderDisplay(data);
      body.dataset.loaded = String(Date.now());
    }).catch(() => {});
  }
  // Several changes in a burst cost one fetch.
  function soon() { if (!pending) pending = setTimeout(load, 250); }

  load();
  const events = new EventSource("/console/events");
  events.addEventListener("changed", soon);
  events.onopen = soon;
  // "Last seen" and "offline since" move even when nothing is said.
  setInterval(soon, 30000);
})();
