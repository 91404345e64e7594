// herald console, an office's page: its notices and its emergency.
// Everything from the server goes in as text (textContent), never as markup. The forms are
// built once and kept across reloads, so live updates never swap a field under the typist.
"use strict";
(function () {
  const body = document.body;
  const words = JSON.parse(document.getElementById("words").textContent);
  const w = (key) => words[key] || key;
  const fill = (key, vars) => w(key).replace(/\{\s*\$(\w+)\s*\}/g, (_, k) => (k in vars ? vars[k] : ""));
  const csrf = body.dataset.csrf;
  const office = body.dataset.office;
  const content = document.getElementById("content");
  const summary = document.getElementById("summary");
  const api = (what) => "/console/api/" + what + "/" + encodeURIComponent(office);

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function field(form, id, key, input) {
    const label = el("label", w(key));
    label.htmlFor = id;
    input.id = id;
    const box = el("div", null, "field");
    box.append(label, input);
    form.append(box);
    return input;
  }

  function post(url, data) {
    return fetch(url, { method: "POST", headers: { "X-CSRF-Token": csrf }, body: data, credentials: "same-origin" })
      .then((r) => r.json().then((j) => ({ ok: r.ok, status: r.status, body: j })));
  }

  // One text box per language of the office, each with its live count against the limit.
  function languageTexts(form, prefix, limit) {
    const holder = el("div", null, "texts");
    form.append(holder);
    const boxes = {};
    return {
      holder,
      boxes,
      set(languages) {
        for (const lang of languages) {
          if (boxes[lang.code]) continue;
          const id = prefix + "-" + lang.code;
          const area = el("textarea");
          area.name = "text." + lang.code;
          area.lang = lang.code;
          area.rows = 2;
          area.maxLength = limit;
          const count = el("p", "", "count");
          count.id = id + "-count";
          area.setAttribute("aria-describedby", count.id);
          const update = () => { count.textContent = fill("console-characters", { count: [...area.value].length, limit }); };
          area.addEventListener("input", update);
          update();
          const label = el("label", fill("console-text-in", { lang: lang.name }));
          label.htmlFor = id;
          area.id = id;
          const box = el("div", null, "field");
          box.append(label, area, count);
          holder.append(box);
          boxes[lang.code] = { area, update };
        }
      },
    };
  }

  // --- the emergency -------------------------------------------------------------------------
  const emergencyPart = el("section");
  emergencyPart.setAttribute("aria-labelledby", "emergency-title");
  const emergencyTitle = el("h2", w("console-emergency"));
  emergencyTitle.id = "emergency-title";
  const emergencyNow = el("div", null, "emergency-now");
  emergencyNow.id = "emergency-now";
  const raise = el("form", null, "emergency-form");
  raise.id = "emergency-form";
  const kind = el("select");
  kind.name = "kind";
  for (const k of ["evacuation", "closing", "other"]) {
    const o = el("option", w("console-kind-" + k));
    o.value = k;
    kind.append(o);
  }
  field(raise, "emergency-kind", "console-emergency-kind", kind);
  const emergencyTexts = languageTexts(raise, "emergency-text", 300);
  const emFloors = el("input");
  emFloors.name = "floors";
  emFloors.inputMode = "numeric";
  field(raise, "emergency-floors", "console-floors-hint", emFloors);
  const repeat = el("input");
  repeat.name = "repeat";
  repeat.type = "number";
  repeat.min = "0";
  repeat.max = "3600";
  repeat.value = "60";
  field(raise, "emergency-repeat", "console-repeat", repeat);
  const emUntil = el("input");
  emUntil.name = "until";
  emUntil.type = "datetime-local";
  field(raise, "emergency-until", "console-until", emUntil);
  const raiseButton = el("button", w("console-raise"), "danger");
  raiseButton.type = "submit";
  raiseButton.id = "emergency-raise";
  raise.append(raiseButton);
  let ready = {};
  function readyTexts() {
    const texts = ready[kind.value];
    for (const [code, box] of Object.entries(emergencyTexts.boxes)) {
      box.area.value = texts ? (texts[code] || "") : "";
      box.update();
    }
  }
  kind.addEventListener("change", readyTexts);

  // The confirmation step: a question and two buttons, in place of the form's button.
  const confirmBox = el("div", null, "confirm");
  confirmBox.id = "emergency-confirm";
  confirmBox.setAttribute("role", "alertdialog");
  confirmBox.setAttribute("aria-labelledby", "emergency-question");
  confirmBox.hidden = true;
  const question = el("p", "", "question");
  question.id = "emergency-question";
  const yes = el("button", "", "danger");
  yes.type = "button";
  yes.id = "emergency-yes";
  const no = el("button", w("console-cancel"));
  no.type = "button";
  confirmBox.append(question, yes, no);
  const emergencySaid = el("p", "", "said");
  emergencySaid.id = "emergency-said";
  emergencySaid.setAttribute("role", "status");
  let confirming = null;
  function ask(questionKey, yesKey, then) {
    question.textContent = w(questionKey);
    yes.textContent = w(yesKey);
    confirming = then;
    confirmBox.hidden = false;
    yes.focus();
  }
  no.addEventListener("click", () => { confirmBox.hidden = true; confirming = null; });
  yes.addEventListener("click", () => {
    const then = confirming;
    confirmBox.hidden = true;
    confirming = null;
    if (then) then();
  });
  raise.addEventListener("submit", (e) => {
    e.preventDefault();
    ask("console-raise-question", "console-raise-yes", () => {
      const data = new URLSearchParams(new FormData(raise));
      data.set("confirm", "yes");
      post(api("emergency"), data).then((r) => {
        emergencySaid.textContent = r.ok ? w("console-done") : (r.body.error || r.status);
        load();
      });
    });
  });
  const clearButton = el("button", w("console-clear"), "danger");
  clearButton.type = "button";
  clearButton.id = "emergency-clear";
  clearButton.addEventListener("click", () => {
    ask("console-clear-question", "console-clear-yes", () => {
      const data = new URLSearchParams();
      data.set("confirm", "yes");
      post(api("emergency-clear"), data).then((r) => {
        emergencySaid.textContent = r.ok ? w("console-done") : (r.body.error || r.status);
        load();
      });
    });
  });
  emergencyPart.append(emergencyTitle, emergencyNow, raise, confirmBox, emergencySaid);

  // Redrawn only when what they show changed: a display's report (every few seconds) must not
  // swap a button under the pointer.
  let shownEmergency = null;
  let shownNotices = null;
  function showEmergency(data) {
    const key = JSON.stringify([data.emergency, data.displays]);
    if (key === shownEmergency) return;
    shownEmergency = key;
    emergencyNow.replaceChildren();
    if (!data.emergency) {
      emergencyNow.append(el("p", w("console-emergency-none")));
      raise.hidden = false;
      return;
    }
    const e = data.emergency;
    raise.hidden = true;
    const box = el("div", null, "emergency-box");
    box.dataset.emergency = e.id;
    box.append(el("p", w("console-kind-" + e.kind), "kind"));
    for (const [lang, text] of Object.entries(e.text)) {
      const p = el("p", text, "text");
      p.lang = lang;
      box.append(p);
    }
    box.append(el("p", fill("console-emergency-raised", { time: e.raised || "", name: e.raised_by || "" })));
    if (e.floors.length) box.append(el("p", w("console-on-floors") + ": " + e.floors.join(", ")));
    if (e.until) box.append(el("p", w("console-until") + ": " + e.until));
    // Which screens say they show it (from their reports), so staff know it arrived.
    const live = data.displays.filter((d) => d.live);
    const showing = live.filter((d) => d.emergency === e.id);
    const onScreens = el("p", fill("console-emergency-on-screens", { count: showing.length, total: live.length }), "on-screens");
    onScreens.id = "emergency-on-screens";
    box.append(onScreens);
    const missing = live.filter((d) => d.emergency !== e.id);
    if (missing.length) box.append(el("p", w("console-emergency-not-yet") + ": " + missing.map((d) => d.shown).join(", "), "text"));
    box.append(clearButton);
    emergencyNow.append(box);
  }

  // --- notices -------------------------------------------------------------------------------
  const noticePart = el("section");
  noticePart.setAttribute("aria-labelledby", "notices-title");
  const noticesTitle = el("h2", w("console-notices"));
  noticesTitle.id = "notices-title";
  const list = el("div");
  list.id = "notice-list";
  const form = el("form", null, "notice-form");
  form.id = "notice-form";
  form.append(el("h3", w("console-notice-new")));
  const noticeTexts = languageTexts(form, "notice-text", 400);
  const where = el("fieldset");
  where.append(el("legend", w("console-where")));
  const choices = {};
  for (const [value, key] of [["office", "console-whole-office"], ["floors", "console-on-floors"], ["displays", "console-on-displays"]]) {
    const radio = el("input");
    radio.type = "radio";
    radio.name = "where";
    radio.value = value;
    radio.id = "where-" + value;
    if (value === "office") radio.checked = true;
    const label = el("label", w(key));
    label.htmlFor = radio.id;
    const line = el("div", null, "choice");
    line.append(radio, label);
    where.append(line);
    choices[value] = radio;
  }
  const floorsInput = el("input");
  floorsInput.id = "notice-floors";
  floorsInput.inputMode = "numeric";
  const floorsLabel = el("label", w("console-floors-hint"));
  floorsLabel.htmlFor = floorsInput.id;
  where.append(floorsLabel, floorsInput);
  const displayChoices = el("div", null, "displays");
  displayChoices.id = "notice-displays";
  where.append(displayChoices);
  form.append(where);
  const from = el("input");
  from.type = "datetime-local";
  from.name = "from";
  field(form, "notice-from", "console-from", from);
  const until = el("input");
  until.type = "datetime-local";
  until.name = "until";
  field(form, "notice-until", "console-until", until);
  const postButton = el("button", w("console-post-notice"));
  postButton.type = "submit";
  postButton.id = "notice-post";
  const noticeSaid = el("p", "", "said");
  noticeSaid.id = "notice-said";
  noticeSaid.setAttribute("role", "status");
  form.append(postButton, noticeSaid);
  const looks = el("div", null, "looks");
  looks.id = "notice-looks";
  noticePart.append(noticesTitle, list, form, looks);

  let shownDisplays = [];
  // After posting: the screens in scope, asked for a fresh picture, shown as they come.
  function showLooks(displays) {
    looks.replaceChildren(el("h3", w("console-how-it-looks")));
    for (const d of displays.slice(0, 3)) {
      const path = encodeURIComponent(office) + "/" + encodeURIComponent(d.display);
      post("/console/api/thumbnail/" + path, new URLSearchParams());
      const figure = el("figure");
      const img = el("img");
      img.alt = w("console-picture") + ": " + d.shown;
      img.dataset.src = "/console/api/thumbnail/" + path;
      img.src = img.dataset.src + "?t=" + Date.now();
      figure.append(img, el("figcaption", d.shown));
      looks.append(figure);
    }
  }
  function refreshLooks() {
    for (const img of looks.querySelectorAll("img")) img.src = img.dataset.src + "?t=" + Date.now();
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const data = new URLSearchParams(new FormData(form));
    data.delete("where");
    const choice = Object.keys(choices).find((k) => choices[k].checked);
    let inScope = shownDisplays;
    if (choice === "floors") {
      data.set("floors", floorsInput.value);
      const floors = floorsInput.value.split(/[ ,]+/).filter(Boolean).map(Number);
      inScope = shownDisplays.filter((d) => d.floor === null || floors.includes(d.floor));
    } else if (choice === "displays") {
      const picked = [...displayChoices.querySelectorAll("input:checked")].map((i) => i.value);
      data.set("displays", picked.join("\n"));
      inScope = shownDisplays.filter((d) => picked.includes(d.display));
    }
    post(api("notice"), data).then((r) => {
      noticeSaid.textContent = r.ok ? w("console-notice-posted") : (r.body.error || r.status);
      if (r.ok) {
        for (const box of Object.values(noticeTexts.boxes)) { box.area.value = ""; box.update(); }
        showLooks(inScope);
      }
      load();
    });
  });

  function showNotices(data) {
    const key = JSON.stringify(data.notices);
    if (key === shownNotices) return;
    shownNotices = key;
    if (!data.notices.length) { list.replaceChildren(el("p", w("console-no-notices"))); return; }
    const table = el("table");
    const head = el("tr");
    for (const k of ["console-notices", "console-where", "console-from", "console-until", "console-posted-by", "console-state", ""]) {
      const th = el("th", k ? w(k) : "");
      th.scope = "col";
      head.append(th);
    }
    const thead = el("thead");
    thead.append(head);
    const tbody = el("tbody");
    for (const n of data.notices) {
      const tr = el("tr");
      tr.dataset.notice = n.id;
      const texts = el("td", null, "text");
      for (const [lang, text] of Object.entries(n.text)) {
        const p = el("p", text);
        p.lang = lang;
        texts.append(p);
      }
      const scope = n.displays.length ? n.displays.join(", ")
        : n.floors.length ? w("console-on-floors") + ": " + n.floors.join(", ")
        : w("console-whole-office");
      const withdraw = el("button", w("console-withdraw"));
      withdraw.type = "button";
      withdraw.addEventListener("click", () => {
        post("/console/api/notice-withdraw/" + encodeURIComponent(office) + "/" + encodeURIComponent(n.id), new URLSearchParams())
          .then((r) => { noticeSaid.textContent = r.ok ? w("console-notice-withdrawn") : (r.body.error || r.status); load(); });
      });
      const act = el("td");
      act.append(withdraw);
      tr.append(texts, el("td", scope, "text"), el("td", n.from || "—"), el("td", n.until || "—"),
                el("td", n.posted_by || "—", "text"), el("td", w("console-notice-state-" + n.state)), act);
      tbody.append(tr);
    }
    table.append(thead, tbody);
    list.replaceChildren(table);
  }

  function showDisplays(data) {
    const known = [...displayChoices.querySelectorAll("input")].map((i) => i.value);
    for (const d of data.displays) {
      if (known.includes(d.display)) continue;
      const box = el("input");
      box.type = "checkbox";
      box.value = d.display;
      box.id = "notice-display-" + (displayChoices.childElementCount + 1);
      const label = el("label", d.shown + (d.floor !== null ? " (" + d.floor + ")" : ""));
      label.htmlFor = box.id;
      const line = el("div", null, "choice");
      line.append(box, label);
      displayChoices.append(line);
    }
    shownDisplays = data.displays;
  }

  let pending = null;
  let built = false;
  function load() {
    pending = null;
    fetch(api("office"), { credentials: "same-origin" }).then((r) => {
      if (r.status === 401) { location.href = "/console/login"; return null; }
      if (!r.ok) { content.replaceChildren(el("p", w("console-not-found"))); return null; }
      return r.json();
    }).then((data) => {
      if (!data) return;
      ready = data.ready;
      emergencyTexts.set(data.languages);
      noticeTexts.set(data.languages);
      if (!built) {
        built = true;
        content.replaceChildren(emergencyPart, noticePart);
        readyTexts();
      }
      summary.textContent = data.emergency ? w("console-emergency") + ": " + w("console-kind-" + data.emergency.kind) : "";
      showEmergency(data);
      showNotices(data);
      showDisplays(data);
      refreshLooks();
      body.dataset.loaded = String(Date.now());
    }).catch(() => {});
  }
  function soon() { if (!pending) pending = setTimeout(load, 250); }
  load();
  const events = new EventSource("/console/events");
  events.addEventListener("changed", soon);
  events.onopen = soon;
  setInterval(soon, 30000);
})();
