// Live results of a co-creation vote: poll the JSON endpoint and update the bars.
(function () {
  "use strict";
  var form = document.querySelector("[data-results-url]");
  if (!form || !window.fetch) return;
  var url = form.getAttribute("data-results-url");
  function refresh() {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (!data) return;
      data.options.forEach(function (o) {
        var bar = form.querySelector('[data-option-bar="' + o.id + '"]');
        var votes = form.querySelector('[data-option-votes="' + o.id + '"]');
        if (bar) { bar.value = o.percent; bar.textContent = o.percent + "%"; }
        if (votes) { votes.textContent = votes.textContent.replace(/\d+/, String(o.votes)); }
      });
      if (data.open) window.setTimeout(refresh, 10000);
    }).catch(function () { window.setTimeout(refresh, 30000); });
  }
  window.setTimeout(refresh, 10000);
})();
