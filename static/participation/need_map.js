// Place a need on the map: a click sets the hidden latitude/longitude. Without tiles the grey map still works.
(function () {
  "use strict";
  var el = document.getElementById("participation-pick-map");
  if (!el || !window.L) return;
  el.hidden = false;
  var center = el.getAttribute("data-center").split(",").map(Number);
  var map = L.map(el, { fadeAnimation: false }).setView(center, 13);
  L.tileLayer(el.getAttribute("data-tile-url"), { attribution: el.getAttribute("data-attribution"), maxZoom: 19 }).addTo(map);
  var lat = document.getElementById("id_latitude"), lng = document.getElementById("id_longitude"), marker = null;
  map.on("click", function (e) {
    if (marker) marker.setLatLng(e.latlng); else marker = L.marker(e.latlng).addTo(map);
    lat.value = e.latlng.lat.toFixed(6);
    lng.value = e.latlng.lng.toFixed(6);
  });
})();
