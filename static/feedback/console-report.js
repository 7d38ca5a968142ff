// The console's report page: the map (the report, its grid area, open reports nearby) and the
// answer form's templates (choosing one fills the answer). Without JavaScript the coordinates
// and the address say where, and an empty answer takes the chosen template's text.
(function () {
  "use strict";
  // Leaflet writes a string given to bindTooltip or bindPopup with innerHTML: values go in as DOM nodes.
  function text(tag, value) {
    const node = document.createElement(tag);
    node.textContent = value;
    return node;
  }

  const box = document.getElementById("report-map");
  if (box && window.L) {
    const [lat, lng] = box.dataset.center.split(",").map(Number);
    const map = L.map(box, { fadeAnimation: false, scrollWheelZoom: false }).setView([lat, lng], Number(box.dataset.zoom) || 16);
    L.tileLayer(box.dataset.tileUrl, { attribution: box.dataset.attribution, maxZoom: 19 }).addTo(map);
    if (box.dataset.boundary) {
      L.geoJSON(JSON.parse(box.dataset.boundary), {
        interactive: false,
        style: { color: "#3d5a80", weight: 2, fillOpacity: 0.05 },
      }).addTo(map);
    }
    JSON.parse(box.dataset.nearby || "[]").forEach((p) => {
      const link = text("a", p.label);
      link.href = p.url;
      L.circleMarker([p.lat, p.lng], { radius: 6, color: "#fff", weight: 1, fillOpacity: 0.85, fillColor: "#b5651d" })
        .bindPopup(link).addTo(map);
    });
    L.circleMarker([lat, lng], { radius: 11, color: "#fff", weight: 2, fillOpacity: 0.95, fillColor: "#a4161a" })
      .bindTooltip(text("span", box.dataset.label)).addTo(map);
  }

  const select = document.getElementById("id_template");
  const answer = document.getElementById("id_answer");
  if (select && answer) {
    const texts = JSON.parse(select.dataset.texts || "{}");
    select.addEventListener("change", () => {
      if (texts[select.value]) answer.value = texts[select.value];
    });
  }
})();
