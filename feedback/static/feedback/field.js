// The field pages: a map of what is due (markers from the list, one source for both) or of one
// place, and the phone's position added to a check on request. No tiles (offline): markers still show.
(function () {
  "use strict";
  const box = document.getElementById("field-map");
  if (box && window.L) {
    const [lat, lng] = box.dataset.center.split(",").map(Number);
    const map = L.map(box, { fadeAnimation: false, scrollWheelZoom: false }).setView([lat, lng], Number(box.dataset.zoom) || 13);
    L.tileLayer(box.dataset.tileUrl, { attribution: box.dataset.attribution, maxZoom: 19 }).addTo(map);
    const points = box.dataset.marker
      ? [{ at: box.dataset.marker.split(",").map(Number), label: box.dataset.label, url: null }]
      : [...document.querySelectorAll(".field-list li[data-lat]")]
          .filter((li) => li.dataset.lat && li.dataset.lng)
          .map((li) => ({ at: [Number(li.dataset.lat), Number(li.dataset.lng)], label: li.dataset.label, url: li.dataset.url }));
    const markers = points.map((p) => {
      const label = document.createElement("span");
      label.textContent = p.label;  // a DOM node, never HTML from the server
      const marker = L.circleMarker(p.at, { radius: 11, color: "#fff", weight: 2, fillOpacity: 0.9, fillColor: "#b45309" }).bindTooltip(label);
      if (p.url) marker.on("click", () => { window.location.href = p.url; });
      return marker.addTo(map);
    });
    if (markers.length > 1) map.fitBounds(L.featureGroup(markers).getBounds().pad(0.2));
  }
  const locate = document.querySelector(".field-locate");
  if (locate && navigator.geolocation) {
    const status = document.querySelector(".field-position");
    locate.hidden = false;
    locate.addEventListener("click", () => {
      navigator.geolocation.getCurrentPosition(
        (where) => {
          document.getElementById("id_latitude").value = where.coords.latitude.toFixed(6);
          document.getElementById("id_longitude").value = where.coords.longitude.toFixed(6);
          status.textContent = locate.dataset.found;
        },
        () => { status.textContent = locate.dataset.failed; },
        { enableHighAccuracy: true, timeout: 10000 },
      );
    });
  }
})();
