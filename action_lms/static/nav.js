/* The main navigation, as an enhancement: without this script every group is a working
   <details> menu and the phone layout shows the whole menu. With it:
   - on phones the "Menu" button shows and hides the menu (aria-expanded);
   - one group menu is open at a time, and an outside click, Escape or moving focus away closes it. */
(function () {
  "use strict";
  var nav = document.querySelector("[data-nav]");
  if (!nav) { return; }
  var toggle = nav.querySelector("[data-nav-toggle]");
  var menu = toggle ? document.getElementById(toggle.getAttribute("aria-controls")) : null;
  var groups = Array.prototype.slice.call(nav.querySelectorAll("details[data-nav-group]"));

  function closeGroups(except) {
    groups.forEach(function (group) {
      if (group !== except && group.open) { group.open = false; }
    });
  }

  function setMenu(open) {
    nav.classList.toggle("nav-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) { closeGroups(null); }
  }

  if (toggle && menu && menu.querySelector("a, button")) {
    nav.classList.add("nav-js");
    setMenu(false);
    toggle.addEventListener("click", function () {
      setMenu(toggle.getAttribute("aria-expanded") !== "true");
    });
  }

  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (group.open) { closeGroups(group); }
    });
    group.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !group.contains(event.relatedTarget)) { group.open = false; }
    });
  });

  document.addEventListener("click", function (event) {
    groups.forEach(function (group) {
      if (group.open && !group.contains(event.target)) { group.open = false; }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = groups.filter(function (group) { return group.open; })[0];
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    } else if (toggle && nav.classList.contains("nav-open") && nav.contains(document.activeElement)) {
      setMenu(false);
      toggle.focus();
    }
  });
})();
