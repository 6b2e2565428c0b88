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
