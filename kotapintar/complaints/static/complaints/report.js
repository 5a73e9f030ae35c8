/* Report form helpers (progressive enhancement): character counter and "use my location". */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function counter() {
    var area = document.getElementById("id_description");
    var out = document.getElementById("description-count");
    if (!area || !out) { return; }
    var limit = parseInt(out.dataset.limit || "4000", 10);
    function update() {
      var n = area.value.length;
      out.textContent = n + " / " + limit;
      out.classList.toggle("over", n > limit);
    }
    out.hidden = false;
    area.addEventListener("input", update);
    update();
  }

  function geolocation() {
    var button = document.getElementById("use-my-location");
    var status = document.getElementById("location-status");
    if (!button || !("geolocation" in navigator)) { return; }
    button.parentElement.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.dataset.msgLocating || "";
      navigator.geolocation.getCurrentPosition(function (pos) {
        var lat = document.getElementById("id_latitude");
        var lon = document.getElementById("id_longitude");
        lat.value = pos.coords.latitude.toFixed(6);
        lon.value = pos.coords.longitude.toFixed(6);
        lat.dispatchEvent(new Event("change", { bubbles: true }));
        status.textContent = (button.dataset.msgFound || "").replace("%(accuracy)s", Math.round(pos.coords.accuracy));
      }, function () {
        status.textContent = button.dataset.msgError || "";
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  function start() {
    document.querySelectorAll(".js-show").forEach(function (el) { if (el.id !== "") { el.hidden = false; } });
    counter();
    geolocation();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
