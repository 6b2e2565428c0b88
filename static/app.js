// wangge — the only script: confirm before destructive actions (forms with data-confirm).
document.addEventListener("submit", function (e) {
  var msg = e.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) { e.preventDefault(); }
});
// "Back" links on error pages go back one step, keeping what was typed.
document.addEventListener("click", function (e) {
  var a = e.target.closest ? e.target.closest("[data-back]") : null;
  if (a && window.history.length > 1) { e.preventDefault(); window.history.back(); }
});
