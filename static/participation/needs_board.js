// The needs board's map: one marker per need of the current page (the list below is the page without JS).
(function () {
  "use strict";
  var el = document.getElementById("participation-needs-map");
  var data = document.getElementById("participation-needs-markers");
  if (!el || !data || !window.L) return;
  var markers = JSON.parse(data.textContent);
  el.hidden = false;
  var center = el.getAttribute("data-center").split(",").map(Number);
  var map = L.map(el, { fadeAnimation: false }).setView(center, 12);
  L.tileLayer(el.getAttribute("data-tile-url"), { attribution: el.getAttribute("data-attribution"), maxZoom: 19 }).addTo(map);
  var bounds = [];
  markers.forEach(function (m) {
    var link = document.createElement("a");
    link.href = m.url;
    link.textContent = m.title;
    L.marker([m.lat, m.lng], { title: m.title }).bindPopup(link).addTo(map);
    bounds.push([m.lat, m.lng]);
  });
  if (bounds.length) map.fitBounds(bounds, { maxZoom: 15, padding: [20, 20], animate: false });
})();
