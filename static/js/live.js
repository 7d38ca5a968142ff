// Live updates by conditional polling (civicworks/live.py): any element with data-live-url is
// refreshed every data-live-interval seconds (default 5). The server answers 304 while nothing
// changed; on 200 the element's content is replaced and the change announced politely.
// Without this file the page is plain and current on reload.
(function () {
  "use strict";
  const DEFAULT_SECONDS = 5;
  const MAX_BACKOFF_SECONDS = 60;
  let region = null;

  function announce(text) {
    if (!text) return;
    if (!region) {
      region = document.createElement("div");
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    region.textContent = "";
    // A fresh text node after a tick, so the same message twice is still read out.
    setTimeout(() => { region.textContent = text; }, 50);
  }

  function watch(element) {
    const url = element.dataset.liveUrl;
    const every = Math.max(1, Number(element.dataset.liveInterval) || DEFAULT_SECONDS) * 1000;
    let etag = null;
    let delay = every;
    let timer = null;
    let first = true;

    function schedule(ms) {
      clearTimeout(timer);
      timer = document.hidden ? null : setTimeout(poll, ms);
    }

    function apply(html) {
      element.innerHTML = html;
      element.dataset.liveUpdated = new Date().toISOString();
      const note = element.querySelector("[data-live-announce]");
      // The first answer only brings the page up to date: nothing new for the reader yet.
      if (!first) announce(note ? note.textContent : element.dataset.liveAnnounce);
      first = false;
    }

    function poll() {
      const headers = { "X-Requested-With": "live.js" };
      if (etag) headers["If-None-Match"] = etag;
      fetch(url, { headers: headers, credentials: "same-origin", cache: "no-store" })
        .then((response) => {
          if (response.status === 304) return null;
          if (response.status === 403 || response.status === 404) throw new Error("stop");
          if (!response.ok) throw new Error("retry");
          etag = response.headers.get("ETag");
          return response.text();
        })
        .then((html) => {
          if (html !== null) apply(html);
          first = false;
          delay = every;
          schedule(delay);
        })
        .catch((error) => {
          if (error.message === "stop") return;
          delay = Math.min(delay * 2, MAX_BACKOFF_SECONDS * 1000);
          schedule(delay);
        });
    }

    // Pause while the tab is hidden; catch up at once when it is shown again.
    document.addEventListener("visibilitychange", () => schedule(0));
    schedule(0);
  }

  document.querySelectorAll("[data-live-url]").forEach(watch);
})();
