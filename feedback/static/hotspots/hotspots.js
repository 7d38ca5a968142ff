// The hotspot map: shaded squares from /api/v1/reports/hotspots/ (the table works without it).
(function () {
  "use strict";
  const box = document.getElementById("hotspots-map");
  if (!box || !window.L) return;
  document.documentElement.classList.add("hotspots-has-js");
  const data = box.dataset;

  // One source of truth for the colours: the legend swatches' CSS classes.
  function colour(level) {
    const probe = document.createElement("span");
    probe.className = "hotspots-swatch hotspots-level-" + level;
    probe.hidden = true;
    document.body.appendChild(probe);
    const value = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return value;
  }
  const colours = [1, 2, 3, 4, 5].map(colour);

  const [lat, lng] = data.center.split(",").map(Number);
  const map = L.map(box, { fadeAnimation: false, zoomAnimation: false }).setView([lat, lng], Number(data.zoom) || 12);
  L.tileLayer(data.tileUrl, { attribution: data.attribution, maxZoom: 19 }).addTo(map);
  const layer = L.geoJSON(null, {
    style: (feature) => ({
      color: "#333",
      weight: 1,
      fillOpacity: 0.7,
      fillColor: colours[Math.max(0, feature.properties.level - 1)],
    }),
    onEachFeature: (feature, cell) => cell.bindPopup(() => popup(feature.properties)),
  }).addTo(map);

  function popup(p) {
    const root = document.createElement("div");
    const line = document.createElement("p");
    const sign = p.change > 0 ? "+" : "";
    line.textContent = p.count + " " + data.labelReports + " (" + data.labelPrevious + ": " + p.previous + ", " + sign + p.change + ")";
    root.appendChild(line);
    if (data.consoleUrl) {
      const [west, south, east, north] = p.bbox;
      const query = new URLSearchParams(data.consoleQuery);
      query.set("latitude__gte", south);
      query.set("latitude__lt", north);
      query.set("longitude__gte", west);
      query.set("longitude__lt", east);
      const link = document.createElement("a");
      link.href = data.consoleUrl + "?" + query.toString();
      link.textContent = data.labelOpen;
      root.appendChild(link);
    }
    return root;
  }

  function load(url, fit) {
    return fetch(url, { headers: { Accept: "application/geo+json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((collection) => {
        layer.clearLayers();
        layer.addData(collection);
        box.dataset.cells = String(collection.features.length);
        if (fit && collection.features.length) map.fitBounds(layer.getBounds(), { maxZoom: 15 });
      })
      .catch(() => {});
  }

  // First the whole city, then the visible box (cells get smaller as one zooms in).
  let timer = null;
  function reloadForView() {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const b = map.getBounds();
      const url = new URL(data.geojsonUrl, window.location.href);
      url.searchParams.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(","));
      load(url.toString(), false);
    }, 300);
  }
  load(data.geojsonUrl, true).then(() => map.on("moveend", reloadForView));
})();
