// The project page's small map: one marker on the site. Without tiles (offline) the grey map
// still shows the marker; without JavaScript the district, community and coordinates above it say where.
(function () {
  "use strict";
  const box = document.getElementById("project-map");
  if (!box || !window.L) return;
  box.classList.add("projects-site-map-on");
  const [lat, lng] = box.dataset.center.split(",").map(Number);
  const map = L.map(box, { fadeAnimation: false, scrollWheelZoom: false }).setView([lat, lng], Number(box.dataset.zoom) || 16);
  L.tileLayer(box.dataset.tileUrl, { attribution: box.dataset.attribution, maxZoom: 19 }).addTo(map);
  const label = document.createElement("span");
  label.textContent = box.dataset.label;  // a DOM node, never HTML from the server
  L.circleMarker([lat, lng], { radius: 10, color: "#fff", weight: 2, fillOpacity: 0.9, fillColor: "#3d5a80" })
    .bindTooltip(label).addTo(map);
})();
