// Reports written without a connection: kept on the phone (IndexedDB, photos too) and sent once
// when the connection returns, from whichever page of the site is open then. "Once" is the API's
// Idempotency-Key: a report whose answer was lost on the way is answered again, not filed twice.
// The words come from the page (#offline-reports data-*), translated by Django.
(function () {
  "use strict";
  const box = document.getElementById("offline-reports");
  if (!box || !window.indexedDB || !window.fetch) return;
  const STORE = "reports";

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("civicworks-offline", 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function run(mode, work) {
    return open().then((db) => new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const result = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
    }));
  }

  function say(text, link) {
    const p = document.createElement("p");
    p.className = "message";
    p.textContent = text;
    if (link) {
      const a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      p.append(" ", a);
    }
    box.append(p);
    box.hidden = false;
  }

  // The form's fields as the API names them (its category is the option's code).
  function fieldsOf(form) {
    const codes = JSON.parse(form.dataset.categoryCodes || "{}");
    const data = new FormData(form);
    const fields = {};
    ["kind", "text", "latitude", "longitude", "address", "project", "reporter_name", "reporter_phone", "reporter_email"]
      .forEach((name) => { if (data.get(name)) fields[name] = data.get(name); });
    fields.category = codes[data.get("category")] || "";
    fields.text_is_public = data.get("text_is_public") ? "true" : "false";
    const photos = data.getAll("photos").filter((file) => file && file.size);
    return { fields, photos, honeypot: data.get("website") };
  }

  function keep(form) {
    const { fields, photos, honeypot } = fieldsOf(form);
    if (honeypot) return Promise.resolve();
    const key = crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random();
    return run("readwrite", (store) => store.put({ key, fields, photos, kept: Date.now() }))
      .then(() => { form.reset(); say(box.dataset.kept); });
  }

  function send(item) {
    const body = new FormData();
    Object.entries(item.fields).forEach(([name, value]) => body.append(name, value));
    item.photos.forEach((file) => body.append("photos", file, file.name || "photo.jpg"));
    const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
    return fetch(box.dataset.api, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "Idempotency-Key": item.key, "X-CSRFToken": csrf ? csrf.value : "" },
    }).then((response) => response.json().catch(() => ({})).then((answer) => {
      if (response.status === 201) {
        say(box.dataset.sent.replace("%(code)s", answer.tracking_code), { href: answer.url, text: box.dataset.follow });
        return run("readwrite", (store) => store.delete(item.key));
      }
      if (response.status >= 400 && response.status < 500 && response.status !== 429) {
        // Refused (the category is gone, the text too long…): say so with the words, then forget it.
        say(box.dataset.refused + " " + JSON.stringify(answer) + " — " + item.fields.text);
        return run("readwrite", (store) => store.delete(item.key));
      }
      return undefined;  // the server is struggling: try again when the connection next returns
    }));
  }

  let sending = false;
  function flush() {
    if (sending || !navigator.onLine) return;
    sending = true;
    run("readonly", (store) => store.getAll())
      .then((items) => items.reduce((chain, item) => chain.then(() => send(item)), Promise.resolve()))
      .catch(() => undefined)  // no connection after all: kept for the next time
      .finally(() => { sending = false; });
  }

  const form = document.querySelector(".feedback-form");
  if (form) {
    form.addEventListener("submit", (event) => {
      if (navigator.onLine) return;  // online: the form is sent as usual
      event.preventDefault();
      keep(form);
    });
  }
  window.addEventListener("online", flush);
  flush();
})();
