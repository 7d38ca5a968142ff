// The public map of reports: positions, category and status only (nothing personal).
(function () {
  "use strict";
  const box = document.getElementById("feedback-map");
  if (!box || !window.L) return;
  document.documentElement.classList.add("feedback-has-js");
  const [centerLat, centerLng] = box.dataset.center.split(",").map(Number);
  const map = L.map(box, { fadeAnimation: false }).setView([centerLat, centerLng], 12);
  L.tileLayer(box.dataset.tileUrl, { attribution: box.dataset.attribution, maxZoom: 19 }).addTo(map);
  fetch(box.dataset.pointsUrl, { headers: { Accept: "application/json" } })
    .then((r) => r.json())
    .then((data) => {
      const layer = L.featureGroup();
      data.results.forEach((p) => {
        const link = document.createElement("a");
        link.href = p.url;
        link.textContent = p["category__name"] + " · " + p.status;
        L.circleMarker([p.latitude, p.longitude], { radius: 6 }).bindPopup(link).addTo(layer);
      });
      // The view is settled before the markers appear (no zoom animation under a tap).
      if (data.results.length) map.fitBounds(layer.getBounds(), { maxZoom: 15, animate: false });
      layer.addTo(map);
    })
    .catch(() => {});
})();
