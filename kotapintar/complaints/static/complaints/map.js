/* Complaint maps (progressive enhancement): the pages work without this file, without
 * Leaflet and without map tiles; coordinates can always be typed or taken from the GPS. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  if (typeof window.L === "undefined") { return; }
  var L = window.L;

  // Leaflet guesses its marker images' folder from its stylesheet, which fails once the static
  // files carry content hashes; the page hands over the real URLs instead.
  var script = document.currentScript;
  if (script && script.dataset.markerIcon) {
    delete L.Icon.Default.prototype._getIconUrl;
    L.Icon.Default.mergeOptions({
      iconUrl: script.dataset.markerIcon,
      iconRetinaUrl: script.dataset.markerIcon2x,
      shadowUrl: script.dataset.markerShadow
    });
  }

  function number(value) {
    var n = parseFloat(value);
    return isFinite(n) ? n : null;
  }

  function baseMap(el) {
    el.hidden = false;
    var map = L.map(el, { scrollWheelZoom: false }).setView(
      [number(el.dataset.lat), number(el.dataset.lon)], parseInt(el.dataset.zoom || "13", 10));
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, {
        maxZoom: 19, attribution: el.dataset.tileAttribution || ""
      }).addTo(map);
    }
    return map;
  }

  /* Popups are built from DOM nodes with textContent: report text is never parsed as HTML. */
  function popup(item) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = item.url;
    link.textContent = item.title;
    var meta = document.createElement("div");
    meta.textContent = item.reference + " · " + item.status_label + " · " + item.category;
    box.appendChild(link);
    box.appendChild(meta);
    return box;
  }

  function publicMap(el) {
    var map = baseMap(el);
    fetch(el.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var points = [];
        if (data.clustered) {
          data.clusters.forEach(function (c) {
            var radius = Math.min(30, 6 + Math.sqrt(c.count));
            L.circleMarker([c.lat, c.lon], { radius: radius, weight: 1 })
              .bindTooltip(String(c.count)).addTo(map);
            points.push([c.lat, c.lon]);
          });
        } else {
          data.markers.forEach(function (m) {
            L.marker([m.lat, m.lon], { title: m.title, alt: m.title })
              .bindPopup(popup(m)).addTo(map);
            points.push([m.lat, m.lon]);
          });
        }
        if (points.length) { map.fitBounds(points, { maxZoom: 16, padding: [20, 20] }); }
      })
      .catch(function () { /* the list below the map is the fallback */ });
  }

  function pointMap(el) {
    var map = baseMap(el);
    L.marker([number(el.dataset.lat), number(el.dataset.lon)]).addTo(map);
  }

  function pickMap(el) {
    var map = baseMap(el);
    var lat = document.getElementById("id_latitude");
    var lon = document.getElementById("id_longitude");
    var pin = null;
    function place(latlng, pan) {
      if (pin) { pin.setLatLng(latlng); } else { pin = L.marker(latlng, { draggable: true }).addTo(map); pin.on("dragend", function () { fill(pin.getLatLng()); }); }
      if (pan) { map.setView(latlng, Math.max(map.getZoom(), 16)); }
    }
    function fill(latlng) {
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      lat.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function fromInputs(pan) {
      var a = number(lat.value), b = number(lon.value);
      if (a !== null && b !== null && Math.abs(a) <= 90 && Math.abs(b) <= 180) { place([a, b], pan); }
    }
    map.on("click", function (e) { place(e.latlng, false); fill(e.latlng); });
    lat.addEventListener("change", function () { fromInputs(true); });
    lon.addEventListener("change", function () { fromInputs(true); });
    fromInputs(true);
  }

  function start() {
    var el;
    if ((el = document.getElementById("complaints-map"))) { publicMap(el); }
    if ((el = document.getElementById("complaint-map"))) { pointMap(el); }
    if ((el = document.getElementById("report-map"))) { pickMap(el); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
