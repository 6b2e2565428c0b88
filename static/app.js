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
// Report form: fill longitude/latitude from the device when asked (never on its own).
document.addEventListener("click", function (e) {
  var b = e.target.closest ? e.target.closest("[data-locate]") : null;
  if (!b) { return; }
  var status = document.getElementById("locate-status");
  if (!navigator.geolocation) { if (status) { status.textContent = "此设备不支持定位，请手工填写或选择网格"; } return; }
  if (status) { status.textContent = "正在定位…"; }
  navigator.geolocation.getCurrentPosition(function (p) {
    document.getElementById("lon").value = p.coords.longitude.toFixed(6);
    document.getElementById("lat").value = p.coords.latitude.toFixed(6);
    if (status) { status.textContent = "已获取当前位置（精度约 " + Math.round(p.coords.accuracy) + " 米）"; }
  }, function () {
    if (status) { status.textContent = "未能定位（可能未允许定位），请手工填写或选择网格"; }
  }, { enableHighAccuracy: true, timeout: 15000 });
});
// Report form: the chosen category decides the required parts and whether the dispute fields show.
(function () {
  var sel = document.getElementById("category");
  var box = document.getElementById("dispute-fields");
  if (!sel || !box) { return; }
  function update() {
    var o = sel.options[sel.selectedIndex];
    var req = (o && o.getAttribute("data-required") || "").split(",");
    box.hidden = !(o && o.getAttribute("data-dispute") === "true");
    document.querySelectorAll("[data-part]").forEach(function (s) {
      s.hidden = req.indexOf(s.getAttribute("data-part")) < 0;
    });
  }
  sel.addEventListener("change", update);
  update();
})();
// Print buttons (data-print): the browser's print dialog; the print styles leave the nav and buttons out.
document.addEventListener("click", function (e) {
  var b = e.target.closest ? e.target.closest("[data-print]") : null;
  if (b) { e.preventDefault(); window.print(); }
});
// Sign-in form: the window's width, so a grid worker on a phone lands in the field app (web::device).
(function () {
  var w = document.getElementById("viewport");
  if (w) { w.value = String(Math.round(Math.min(window.innerWidth, window.screen && window.screen.width ? window.screen.width : window.innerWidth))); }
})();
// Header menus (<details class="menu">, web/nav.rs) work without script; with it, one is open at a
// time and a click elsewhere or Escape closes them.
document.addEventListener("click", function (e) {
  var inside = e.target.closest ? e.target.closest("details.menu") : null;
  document.querySelectorAll("details.menu[open]").forEach(function (d) { if (d !== inside) { d.removeAttribute("open"); } });
});
// A menu that would open past the window's right edge opens leftwards instead.
document.addEventListener("toggle", function (e) {
  var d = e.target;
  if (!d.matches || !d.matches("details.menu") || !d.open) { return; }
  d.classList.remove("end");
  var box = d.querySelector(".menu-items");
  if (box && box.getBoundingClientRect().right > document.documentElement.clientWidth) { d.classList.add("end"); }
}, true);
document.addEventListener("keydown", function (e) {
  if (e.key !== "Escape") { return; }
  document.querySelectorAll("details.menu[open]").forEach(function (d) { d.removeAttribute("open"); });
});
// The header marks where one is: the link of the current page, or of the longest path above it
// (and the menu holding it).
(function () {
  var nav = document.getElementById("nav");
  if (!nav) { return; }
  var best = null, len = 0;
  nav.querySelectorAll("a[href]").forEach(function (a) {
    var p = a.getAttribute("href"), base = p.replace(/\/$/, "");
    var hit = p === location.pathname || (p !== "/" && location.pathname.indexOf(base + "/") === 0);
    if (hit && p.length > len) { best = a; len = p.length; }
  });
  if (!best) { return; }
  best.setAttribute("aria-current", "page");
  var menu = best.closest("details.menu");
  if (menu) { menu.classList.add("here"); }
})();
