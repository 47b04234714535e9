// Pan and zoom for the inline graph SVG (svg-pan-zoom, vendored). Loaded as a file: the page
// allows no inline scripts.
(function () {
  "use strict";
  var svg = document.querySelector("#graph-canvas svg");
  if (!svg || typeof window.svgPanZoom !== "function") {
    return;
  }
  var canvas = document.getElementById("graph-canvas");
  // A still copy of the picture for printing: svg-pan-zoom rewrites the viewBox of the live one,
  // which a printer would show clipped or empty. Ids are dropped so the page keeps one of each.
  var copy = svg.cloneNode(true);
  copy.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
  var still = document.createElement("div");
  still.className = "graph-print";
  still.appendChild(copy);
  canvas.parentNode.insertBefore(still, canvas.nextSibling);

  // The canvas takes the drawing's proportions (up to the window's height), so a wide, short
  // picture is not a strip at the bottom of a tall empty box.
  var box = svg.viewBox && svg.viewBox.baseVal;
  function sizeCanvas() {
    if (!box || !box.width || !box.height) { return; }
    var tallest = Math.min(window.innerHeight - 88, 1100);
    var wanted = canvas.clientWidth * box.height / box.width + 16;
    canvas.style.height = Math.round(Math.max(260, Math.min(tallest, wanted))) + "px";
  }
  sizeCanvas();

  // svg-pan-zoom would set a style attribute (blocked by a strict CSP); CSSOM is allowed.
  svg.style.overflow = "hidden";
  var panZoom = window.svgPanZoom(svg, {
    zoomEnabled: true,
    controlIconsEnabled: false,
    fit: true,
    center: true,
    minZoom: 0.2,
    maxZoom: 20,
    zoomScaleSensitivity: 0.3,
    dblClickZoomEnabled: false
  });
  // realZoom is screen pixels per point of the drawing; tool names are 10 pt. A small view
  // fitted to the canvas would show giant boxes, so it starts at most at 1.3 (13 px text).
  var MAX_START = 1.3;
  function centreOnFocus() {
    var focus = svg.querySelector("#focus-node");
    if (!focus) { return; }
    var area = svg.getBoundingClientRect(), node = focus.getBoundingClientRect();
    panZoom.panBy({
      x: (area.left + area.width / 2) - (node.left + node.width / 2),
      y: (area.top + area.height / 2) - (node.top + node.height / 2)
    });
  }
  function fit() {
    // Fitting into a box of no size (a window resized mid-layout, hidden, or being captured)
    // would set the zoom to 0, and no later fit recovers from a zero scale: keep the last view.
    sizeCanvas();
    var area = svg.getBoundingClientRect();
    if (!area.width || !area.height) { return; }
    panZoom.resize();
    panZoom.fit();
    var real = panZoom.getSizes().realZoom;
    if (isFinite(real) && real > MAX_START) { panZoom.zoom(panZoom.getZoom() * MAX_START / real); }
    panZoom.center();
    centreOnFocus();
  }
  fit();
  // One click on + must be enough to read names in the whole-stack picture: a 1.5 step.
  var actions = {
    "zoom-in": function () { panZoom.zoomBy(1.5); },
    "zoom-out": function () { panZoom.zoomBy(1 / 1.5); },
    "fit": fit
  };
  document.querySelectorAll("[data-graph]").forEach(function (button) {
    button.addEventListener("click", actions[button.getAttribute("data-graph")]);
  });
  // One fit per frame, after the last of a burst of resize events, at the size that stays.
  var pending = 0;
  window.addEventListener("resize", function () {
    window.cancelAnimationFrame(pending);
    pending = window.requestAnimationFrame(fit);
  });
  // Clicking a tool after dragging should not navigate: svg-pan-zoom leaves clicks alone.
  var moved = false, start = null;
  svg.addEventListener("mousedown", function (e) { start = [e.clientX, e.clientY]; moved = false; });
  svg.addEventListener("mousemove", function (e) {
    if (start && Math.abs(e.clientX - start[0]) + Math.abs(e.clientY - start[1]) > 4) { moved = true; }
  });
  svg.addEventListener("click", function (e) {
    if (moved) { e.preventDefault(); }
    start = null;
  }, true);
  svg.setAttribute("data-ready", "1");
}());
