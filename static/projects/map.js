// The project map (民心工程地图): markers coloured by stage, clusters when zoomed out, an optional
// layer of report hotspots, and a refresh every 10 s while the tab is visible (live stage and
// percent; only markers that changed are replaced, so an open popup stays open).
// Works without tiles (grey background); without JavaScript the list under the map is the page.
(function () {
  "use strict";
  const box = document.getElementById("projects-map");
  if (!box || !window.L) return;
  document.documentElement.classList.add("projects-has-js");
  const COLOURS = {
    planned: "#6c757d", approved: "#3d5a80", design: "#7b2cbf", tendering: "#b5651d",
    construction: "#d97706", acceptance: "#0b7285", completed: "#2b8a3e",
    suspended: "#a4161a", cancelled: "#343a40",
  };
  const [lat, lng] = box.dataset.center.split(",").map(Number);
  const map = L.map(box, { fadeAnimation: false }).setView([lat, lng], Number(box.dataset.zoom) || 12);
  L.tileLayer(box.dataset.tileUrl, { attribution: box.dataset.attribution, maxZoom: 19 }).addTo(map);
  const hotspots = L.geoJSON(null, {
    interactive: false,
    className: "projects-hotspot",
    style: (f) => ({ color: "#c92a2a", weight: 0, fillColor: "#c92a2a", fillOpacity: 0.12 * f.properties.level }),
  }).addTo(map);
  const layer = L.layerGroup().addTo(map);
  const toggle = document.getElementById("projects-hotspots-toggle");
  const REFRESH_MS = 10000;
  let pending = null;

  // Leaflet writes a string given to bindTooltip, bindPopup or divIcon with innerHTML: every
  // value from the server goes in as a DOM node built with textContent, never as a string.
  function text(tag, value) {
    const node = document.createElement(tag);
    node.textContent = value;
    return node;
  }

  function popup(p) {
    const wrap = document.createElement("div");
    const title = text("strong", p.title);
    const facts = document.createElement("p");
    facts.textContent = p.stage_label + " · " + box.dataset.labelPercent + " " + p.percent_complete + "%" +
      (p.expected_completion ? " · " + box.dataset.labelExpected + " " + p.expected_completion : "");
    const link = document.createElement("a");
    link.href = p.url;
    link.textContent = box.dataset.labelOpen;
    wrap.append(title, facts, link);
    return wrap;
  }

  // Markers are kept by key across reloads: clearing them all would close an open popup,
  // and opening a popup pans the map (a reload) whenever it does not fit, as on a phone.
  const markers = new Map();

  function marker(f) {
    const [x, y] = f.geometry.coordinates;
    const p = f.properties;
    if (p.cluster) {
      const icon = L.divIcon({ className: "projects-cluster", html: text("span", String(p.count)), iconSize: [34, 34] });
      return L.marker([y, x], { icon: icon, title: p.count + " " + box.dataset.labelProjects, keyboard: true })
        .on("click", () => map.setView([y, x], Math.min(map.getZoom() + 2, 18)));
    }
    return L.circleMarker([y, x], { radius: 8, color: "#fff", weight: 2, fillOpacity: 0.9, fillColor: COLOURS[p.stage] || "#333" })
      .bindPopup(popup(p)).bindTooltip(text("span", p.title));
  }

  function draw(data) {
    const seen = new Set();
    data.features.forEach((f) => {
      const p = f.properties;
      // A project whose stage or percent changed gets a new marker (its colour and popup follow).
      const key = p.cluster ? "cluster " + f.geometry.coordinates.join(",") + " " + p.count
        : [p.url, p.stage, p.percent_complete, p.expected_completion].join(" ");
      seen.add(key);
      if (!markers.has(key)) markers.set(key, marker(f).addTo(layer));
    });
    markers.forEach((layerItem, key) => {
      if (!seen.has(key)) {
        layer.removeLayer(layerItem);
        markers.delete(key);
      }
    });
  }

  function bboxParam() {
    const b = map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => Math.max(-180, Math.min(180, v)).toFixed(5));
    bbox[1] = Math.max(-90, bbox[1]); bbox[3] = Math.min(90, bbox[3]);
    return bbox.join(",");
  }

  function loadHotspots() {
    if (!toggle || !toggle.checked) return hotspots.clearLayers();
    const url = new URL(toggle.dataset.url, window.location.href);
    url.searchParams.set("bbox", bboxParam());
    fetch(url, { headers: { Accept: "application/geo+json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((collection) => { hotspots.clearLayers(); hotspots.addData(collection); })
      .catch(() => {});
  }

  function load() {
    const params = new URLSearchParams(box.dataset.query || "");
    params.set("bbox", bboxParam());
    params.set("zoom", String(map.getZoom()));
    if (pending) pending.abort();
    pending = new AbortController();
    fetch(box.dataset.pointsUrl + "?" + params.toString(), { headers: { Accept: "application/json" }, signal: pending.signal })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then(draw)
      .catch(() => {});
  }
  map.on("moveend", () => { load(); loadHotspots(); });
  if (toggle) {
    toggle.closest("[hidden]")?.removeAttribute("hidden");
    toggle.addEventListener("change", loadHotspots);
  }
  setInterval(() => { if (!document.hidden) load(); }, REFRESH_MS);
  load();
  loadHotspots();
})();
