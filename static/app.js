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
// Forms marked data-geo-form (check-in, patrol finding): fill lat/lng/accuracy from the device
// before sending, if the device allows it within a few seconds; otherwise send without a position.
document.addEventListener("submit", function (e) {
  var f = e.target;
  if (!f.hasAttribute || !f.hasAttribute("data-geo-form") || f.getAttribute("data-geo-done") || !navigator.geolocation) { return; }
  e.preventDefault();
  var submitter = e.submitter;
  var status = f.querySelector("[data-geo-status]");
  if (status) { status.textContent = "正在定位…"; }
  var send = function () {
    f.setAttribute("data-geo-done", "1");
    if (submitter && submitter.name) {
      var h = document.createElement("input"); h.type = "hidden"; h.name = submitter.name; h.value = submitter.value; f.appendChild(h);
    }
    f.submit();
  };
  navigator.geolocation.getCurrentPosition(function (p) {
    var set = function (n, v) { var i = f.querySelector("[name=" + n + "]"); if (i) { i.value = v; } };
    set("lat", p.coords.latitude.toFixed(6)); set("lng", p.coords.longitude.toFixed(6)); set("accuracy", Math.round(p.coords.accuracy) || 1);
    send();
  }, send, { enableHighAccuracy: true, timeout: 8000, maximumAge: 30000 });
});
// The page of one's open patrol: watch the position, send points in batches of 5 (and on ending).
(function () {
  var box = document.getElementById("patrol-live");
  if (!box || !navigator.geolocation) { return; }
  var id = box.getAttribute("data-patrol"), csrf = box.getAttribute("data-csrf");
  var status = box.querySelector("[data-live-status]"), km = document.querySelector("[data-patrol-km]");
  var buf = [], sending = false;
  var flush = function (done) {
    if (sending || buf.length === 0) { if (done) { done(); } return; }
    var batch = buf.splice(0, buf.length); sending = true;
    fetch("/api/v1/patrols/" + id + "/points", { method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify({ points: batch }) })
      .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
      .then(function (x) {
        sending = false;
        if (x[0]) { if (km) { km.textContent = x[1].km; } if (status) { status.textContent = "轨迹记录中：已上传 " + x[1].points + " 个位置点"; } }
        else if (status) { status.textContent = x[1].message || "上传失败"; }
        if (done) { done(); }
      })
      .catch(function () { sending = false; buf = batch.concat(buf); if (status) { status.textContent = "网络不通，位置点暂存在本页面，稍后重试"; } if (done) { done(); } });
  };
  navigator.geolocation.watchPosition(function (p) {
    buf.push({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy || 1, at: Date.now() });
    if (buf.length >= 5) { flush(); } else if (status) { status.textContent = "已定位（精度约 " + Math.round(p.coords.accuracy) + " 米），待上传 " + buf.length + " 个点"; }
  }, function () { if (status) { status.textContent = "未能定位（可能未允许定位）；巡查照常，但没有轨迹和里程"; } },
  { enableHighAccuracy: true, maximumAge: 5000, timeout: 30000 });
  var end = box.querySelector("[data-patrol-end]");
  if (end) {
    end.addEventListener("submit", function (e) {
      if (end.getAttribute("data-flushed")) { return; }
      e.preventDefault();
      if (!window.confirm("确定结束本次巡查？")) { return; }
      flush(function () { end.setAttribute("data-flushed", "1"); end.submit(); });
    });
  }
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
