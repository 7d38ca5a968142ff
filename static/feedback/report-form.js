// The report form's map pin, geolocation and "similar reports nearby" box.
// Progressive enhancement: without this file the form asks for the address instead.
(function () {
  "use strict";
  const form = document.querySelector(".feedback-form");
  if (!form || !window.L) return;
  document.documentElement.classList.add("feedback-has-js");
  const lat = form.querySelector("input[name=latitude]");
  const lng = form.querySelector("input[name=longitude]");
  const category = form.querySelector("select[name=category]");
  const position = document.getElementById("feedback-position");
  const nearbyBox = document.getElementById("feedback-nearby");
  const [centerLat, centerLng] = form.dataset.center.split(",").map(Number);

  const map = L.map("feedback-pick-map", { fadeAnimation: false }).setView([centerLat, centerLng], Number(form.dataset.zoom) || 13);
  L.tileLayer(form.dataset.tileUrl, { attribution: form.dataset.attribution, maxZoom: 19 }).addTo(map);
  let marker = null;

  function place(latitude, longitude) {
    lat.value = latitude.toFixed(6);
    lng.value = longitude.toFixed(6);
    if (marker) marker.setLatLng([latitude, longitude]);
    else marker = L.marker([latitude, longitude], { draggable: true }).addTo(map)
      .on("dragend", (e) => place(e.target.getLatLng().lat, e.target.getLatLng().lng));
    position.textContent = lat.value + ", " + lng.value;
    showNearby();
  }

  function showNearby() {
    if (!lat.value) return;
    const url = new URL(form.dataset.nearbyUrl, window.location.href);
    url.searchParams.set("lat", lat.value);
    url.searchParams.set("lng", lng.value);
    if (category && category.value) url.searchParams.set("category", category.value);
    fetch(url, { headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : { results: [] }))
      .then((data) => {
        const list = nearbyBox.querySelector("ul");
        list.replaceChildren();
        data.results.forEach((item) => {
          const li = document.createElement("li");
          const a = document.createElement("a");
          a.href = item.url;
          a.textContent = item.category + " · " + item.status;
          li.append(a, document.createTextNode(item.text ? ": " + item.text : ""));
          list.append(li);
        });
        nearbyBox.hidden = data.results.length === 0;
        // The resident has seen the similar reports: no preview step on the server.
        let flag = form.querySelector("input[name=not_a_duplicate]");
        flag.value = "on";
      })
      .catch(() => { nearbyBox.hidden = true; });
  }

  map.on("click", (e) => place(e.latlng.lat, e.latlng.lng));
  if (category) category.addEventListener("change", showNearby);
  if (lat.value && lng.value) place(Number(lat.value), Number(lng.value));

  const locate = document.getElementById("feedback-locate");
  if (locate && navigator.geolocation) {
    locate.addEventListener("click", () => {
      navigator.geolocation.getCurrentPosition(
        (p) => { place(p.coords.latitude, p.coords.longitude); map.setView([p.coords.latitude, p.coords.longitude], 16); },
        () => { position.textContent = locate.dataset.failed || ""; },
      );
    });
  }
})();
