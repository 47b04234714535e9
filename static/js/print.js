// Buttons marked data-action="print" print the page. Wired here because the Content-Security-Policy
// allows no inline event handlers (onclick="...").
document.querySelectorAll('[data-action="print"]').forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
