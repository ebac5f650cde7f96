// Registration: preselect the browser's time zone in the zone list when the person has not
// chosen one yet and the list offers it. The server still validates whatever is sent; without
// this script an unchosen zone becomes the requested city's zone (or the default).
(function () {
  "use strict";
  var select = document.querySelector("select[data-browser-timezone]");
  if (!select || select.value !== "") return;
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone) return;
  for (var i = 0; i < select.options.length; i++) {
    if (select.options[i].value === zone) {
      select.value = zone;
      return;
    }
  }
})();
