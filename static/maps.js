// wangge grid maps: the boundary editor (click, drag, snap, undo; mouse and touch through pointer
// events), the GeoJSON import preview, and the print button of the grid diagram. No libraries.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";

  // GCJ-02 (高德、腾讯) → WGS-84, the same formulas as the server (src/geo/coords.rs).
  var A = 6378245.0, EE = 0.006693421622965943;
  function outOfChina(lon, lat) { return !(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271); }
  function offLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    r += (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
    return r;
  }
  function offLon(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    r += (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
    return r;
  }
  function toGcj(lon, lat) {
    if (outOfChina(lon, lat)) { return [lon, lat]; }
    var dLat = offLat(lon - 105, lat - 35), dLon = offLon(lon - 105, lat - 35);
    var rad = lat / 180 * Math.PI, magic = 1 - EE * Math.sin(rad) * Math.sin(rad), sm = Math.sqrt(magic);
    dLat = (dLat * 180) / ((A * (1 - EE)) / (magic * sm) * Math.PI);
    dLon = (dLon * 180) / (A / sm * Math.cos(rad) * Math.PI);
    return [lon + dLon, lat + dLat];
  }
  function gcjToWgs(lon, lat) {
    if (outOfChina(lon, lat)) { return [lon, lat]; }
    var x = lon, y = lat;
    for (var i = 0; i < 30; i++) {
      var g = toGcj(x, y), dx = g[0] - lon, dy = g[1] - lat;
      x -= dx; y -= dy;
      if (Math.abs(dx) < 1e-10 && Math.abs(dy) < 1e-10) { break; }
    }
    return [x, y];
  }
  function round7(v) { return Math.round(v * 1e7) / 1e7; }

  // The same fitting as the server's diagram::Frame::fit.
  function fit(b, width, height) {
    var k = Math.max(Math.cos((b[1] + b[3]) / 2 * Math.PI / 180), 0.01);
    var w = Math.max((b[2] - b[0]) * k, 1e-7), h = Math.max(b[3] - b[1], 1e-7);
    var s = Math.min(width / w, height / h) * 0.92;
    return { lon0: b[0], lat1: b[3], sx: s * k, sy: s, left: (width - w * s) / 2, top: (height - h * s) / 2 };
  }
  function project(f, p) { return [f.left + (p[0] - f.lon0) * f.sx, f.top + (f.lat1 - p[1]) * f.sy]; }

  // The print button of the diagram page.
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) { window.print(); }
  });

  function el(name, attrs, parent) {
    var n = document.createElementNS(NS, name);
    for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k)) { n.setAttribute(k, attrs[k]); } }
    if (parent) { parent.appendChild(n); }
    return n;
  }
  function listOf(items) {
    var ul = document.createElement("ul"); ul.className = "issues";
    items.forEach(function (t) { var li = document.createElement("li"); li.textContent = t; ul.appendChild(li); });
    return ul;
  }
  function m2(v) { return v >= 10000 ? (v / 10000).toFixed(2) + " 公顷" : Math.round(v) + " 平方米"; }
  function checkLines(check, onlyId) {
    var out = [];
    (check.overlaps || []).forEach(function (o) {
      if (onlyId && o.a !== onlyId && o.b !== onlyId) { return; }
      out.push("重叠：" + o.a_name + " 与 " + o.b_name + " 重叠约 " + m2(o.area_m2));
    });
    (check.seams || []).forEach(function (m) {
      if (onlyId && m.a !== onlyId && m.b !== onlyId) { return; }
      out.push("没接上：" + m.a_name + " 与 " + m.b_name + " 最近处相距约 " + m.distance_m.toFixed(1) + " 米（中间的窄带不属于任何网格）");
    });
    (check.gaps || []).forEach(function (g) {
      out.push("缝隙：约 " + m2(g.area_m2) + "，位于 " + g.at[0].toFixed(5) + ", " + g.at[1].toFixed(5) + (check.within_boundary ? "（社区边界内未被网格覆盖）" : "（被网格围住的空白）"));
    });
    return out;
  }
  function send(method, url, csrf, body) {
    return fetch(url, { method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: body })
      .then(function (r) {
        return r.json().then(function (j) { return { ok: r.ok, status: r.status, body: j }; },
          function () { return { ok: false, status: r.status, body: { message: "服务器返回了无法识别的内容（" + r.status + "）" } }; });
      }, function () { return { ok: false, status: 0, body: { message: "网络不通，未能保存，请稍后重试" } }; });
  }

  // ---- The boundary editor ----
  var svg = document.getElementById("editor-map");
  if (svg) {
    var layer = document.getElementById("edit-layer");
    var status = document.getElementById("editor-status");
    var issues = document.getElementById("editor-issues");
    var areaId = parseInt(svg.getAttribute("data-area"), 10);
    var csrf = svg.getAttribute("data-csrf");
    var version = parseInt(svg.getAttribute("data-version"), 10);
    var height = parseFloat(svg.getAttribute("data-height")) || 600;
    var frame = svg.getAttribute("data-frame") ? JSON.parse(svg.getAttribute("data-frame")) : null;
    var pts = JSON.parse(svg.getAttribute("data-ring") || "[]");
    var snap = JSON.parse(svg.getAttribute("data-snap") || "[]");
    var undo = [], selected = -1, down = null;

    var say = function (msg, cls) { status.textContent = msg; status.className = "status" + (cls ? " " + cls : ""); };
    var toLL = function (x, y) { return [frame.lon0 + (x - frame.left) / frame.sx, frame.lat1 - (y - frame.top) / frame.sy]; };
    var perPx = function () { var r = svg.getBoundingClientRect(); return r.width > 0 ? 1000 / r.width : 1; };
    var at = function (e) {
      var p = svg.createSVGPoint(); p.x = e.clientX; p.y = e.clientY;
      p = p.matrixTransform(svg.getScreenCTM().inverse());
      return [p.x, p.y];
    };
    var remember = function () { undo.push(JSON.stringify(pts)); if (undo.length > 300) { undo.shift(); } };
    var dist = function (a, b) { return Math.hypot(a[0] - b[0], a[1] - b[1]); };
    var nearestVertex = function (p, tol) {
      var best = -1, bd = tol;
      pts.forEach(function (q, i) { var d = dist(project(frame, q), p); if (d <= bd) { bd = d; best = i; } });
      return best;
    };
    // A neighbour's vertex within 14 px is taken exactly, so shared edges stay shared.
    var snapped = function (p) {
      var tol = 14 * perPx(), best = null, bd = tol;
      snap.forEach(function (q) { var d = dist(project(frame, q), p); if (d <= bd) { bd = d; best = q; } });
      return best ? [best[0], best[1]] : toLL(p[0], p[1]).map(round7);
    };
    var draw = function () {
      while (layer.firstChild) { layer.removeChild(layer.firstChild); }
      if (!frame) { return; }
      var xy = pts.map(function (p) { return project(frame, p); });
      if (xy.length >= 2) {
        el(xy.length >= 3 ? "polygon" : "polyline", { "class": "editing",
          points: xy.map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join(" ") }, layer);
      }
      var r = 10 * perPx();
      xy.forEach(function (p, i) {
        el("circle", { "class": "vertex" + (i === selected ? " selected" : ""), cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: r.toFixed(1), "data-index": i }, layer);
      });
    };
    var addAt = function (p) {
      remember();
      var ll = snapped(p), where = pts.length;
      if (pts.length >= 3) {
        // Near an edge: insert the point into that edge.
        var tol = 12 * perPx(), bd = tol;
        for (var i = 0; i < pts.length; i++) {
          var a = project(frame, pts[i]), b = project(frame, pts[(i + 1) % pts.length]);
          var dx = b[0] - a[0], dy = b[1] - a[1], len2 = dx * dx + dy * dy;
          var t = len2 ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2)) : 0;
          var d = dist(p, [a[0] + t * dx, a[1] + t * dy]);
          if (d <= bd && t > 0 && t < 1) { bd = d; where = i + 1; }
        }
      }
      pts.splice(where, 0, ll);
      selected = where;
      say("已添加第 " + pts.length + " 个顶点" + (pts.length < 3 ? "（至少需要 3 个）" : ""));
    };
    var endPress = function (e, cancelled) {
      if (!down) { return; }
      if (!cancelled) {
        var p = at(e);
        if (down.vertex < 0 && !down.moved) { addAt(p); }
        else if (down.vertex >= 0 && !down.moved) { undo.pop(); }
        else if (down.vertex >= 0) { say("已移动顶点"); }
      }
      down = null;
      draw();
    };
    svg.addEventListener("pointerdown", function (e) {
      if (!frame) { say("本社区尚无任何边界，请先在下方输入一个坐标点定位", "err"); return; }
      if (e.button !== undefined && e.button > 0) { return; }
      var p = at(e), i = nearestVertex(p, 16 * perPx());
      if (svg.setPointerCapture) { try { svg.setPointerCapture(e.pointerId); } catch (err) { /* older browsers */ } }
      down = { x: p[0], y: p[1], moved: false, vertex: i };
      if (i >= 0) { remember(); selected = i; draw(); }
      e.preventDefault();
    });
    svg.addEventListener("pointermove", function (e) {
      if (!down) { return; }
      var p = at(e);
      if (!down.moved && dist(p, [down.x, down.y]) > 6 * perPx()) { down.moved = true; }
      if (down.vertex >= 0 && down.moved) { pts[down.vertex] = snapped(p); draw(); }
      e.preventDefault();
    });
    svg.addEventListener("pointerup", function (e) { endPress(e, false); });
    svg.addEventListener("pointercancel", function (e) { endPress(e, true); });

    document.getElementById("undo-point").addEventListener("click", function () {
      if (!undo.length) { say("没有可以撤销的操作"); return; }
      pts = JSON.parse(undo.pop()); selected = -1; draw(); say("已撤销");
    });
    document.getElementById("delete-point").addEventListener("click", function () {
      if (selected < 0 || selected >= pts.length) { say("请先点一下要删除的顶点"); return; }
      remember(); pts.splice(selected, 1); selected = -1; draw(); say("已删除顶点，剩 " + pts.length + " 个");
    });
    document.getElementById("clear-points").addEventListener("click", function () {
      if (!pts.length) { return; }
      remember(); pts = []; selected = -1; draw(); say("已清空（可撤销；保存后才会改动数据）");
    });
    document.getElementById("add-typed").addEventListener("click", function () {
      var lon = parseFloat(document.getElementById("typed-lon").value), lat = parseFloat(document.getElementById("typed-lat").value);
      if (!isFinite(lon) || !isFinite(lat)) { say("请填写数字形式的经度和纬度", "err"); return; }
      if (outOfChina(lon, lat)) { say("坐标超出中国范围，请确认经度、纬度没有填反", "err"); return; }
      var p = document.getElementById("typed-datum").value === "gcj02" ? gcjToWgs(lon, lat) : [lon, lat];
      p = [round7(p[0]), round7(p[1])];
      if (!frame) { frame = fit([p[0] - 0.005, p[1] - 0.005, p[0] + 0.005, p[1] + 0.005], 1000, height); }
      remember(); pts.push(p); selected = pts.length - 1; draw();
      say("已添加坐标点 " + p[0] + ", " + p[1] + "（WGS-84）");
    });
    document.getElementById("save-boundary").addEventListener("click", function () {
      var boundary = null;
      if (pts.length > 0 && pts.length < 3) { say("边界至少需要 3 个顶点", "err"); return; }
      if (pts.length === 0 && !window.confirm("清除该网格的边界？")) { return; }
      if (pts.length >= 3) {
        var ring = pts.map(function (p) { return [p[0], p[1]]; });
        ring.push([pts[0][0], pts[0][1]]);
        // Holes and further polygons of the stored boundary stay as they are.
        var geom = svg.getAttribute("data-geom") ? JSON.parse(svg.getAttribute("data-geom")) : null;
        if (geom && geom.type === "MultiPolygon" && geom.coordinates.length) {
          geom.coordinates[0][0] = ring; boundary = geom;
        } else if (geom && geom.type === "Polygon" && geom.coordinates.length) {
          geom.coordinates[0] = ring; boundary = geom;
        } else {
          boundary = { type: "Polygon", coordinates: [ring] };
        }
      }
      say("正在保存…");
      send("PUT", "/api/v1/areas/" + areaId + "/boundary", csrf, JSON.stringify({ version: version, boundary: boundary }))
        .then(function (r) {
          issues.textContent = "";
          if (r.ok) {
            version = r.body.area.version;
            svg.setAttribute("data-version", String(version));
            svg.setAttribute("data-geom", r.body.area.boundary ? JSON.stringify(r.body.area.boundary) : "");
            var lines = checkLines(r.body.check, areaId);
            say("已保存（版本 " + version + "）" + (lines.length ? "，但发现以下问题：" : "，与相邻网格无重叠"), "ok");
            if (lines.length) { issues.appendChild(listOf(lines)); }
          } else if (r.status === 409) {
            say((r.body.message || "数据已被他人修改") + "。您画的边界尚未保存，可刷新页面查看最新边界后重画。", "err");
          } else {
            say(r.body.message || "保存失败", "err");
          }
        });
    });
    draw();
  }

  // ---- The GeoJSON import: preview, then confirm ----
  var box = document.getElementById("import-box");
  if (box) {
    var importArea = box.getAttribute("data-area"), importCsrf = box.getAttribute("data-csrf");
    var importStatus = document.getElementById("import-status"), result = document.getElementById("import-result");
    var confirmBtn = document.getElementById("import-confirm"), text = null;
    var tell = function (msg, cls) { importStatus.textContent = msg; importStatus.className = "status" + (cls ? " " + cls : ""); };
    var upload = function (dry) {
      var datum = document.getElementById("import-datum").value;
      var url = "/api/v1/areas/" + importArea + "/boundaries.geojson?datum=" + encodeURIComponent(datum) + (dry ? "&dry_run=true" : "");
      return send("PUT", url, importCsrf, text);
    };
    var preview = function (changed) {
      var all = [];
      changed.forEach(function (c) {
        var polys = c.boundary.type === "Polygon" ? [c.boundary.coordinates] : c.boundary.coordinates;
        polys.forEach(function (poly) { poly.forEach(function (ring) { ring.forEach(function (p) { all.push(p); }); }); });
      });
      if (!all.length) { return null; }
      var b = [Infinity, Infinity, -Infinity, -Infinity];
      all.forEach(function (p) { b = [Math.min(b[0], p[0]), Math.min(b[1], p[1]), Math.max(b[2], p[0]), Math.max(b[3], p[1])]; });
      var f = fit(b, 1000, 600);
      var s = el("svg", { "class": "gridmap", viewBox: "0 0 1000 600", role: "img", "aria-label": "导入预览" });
      changed.forEach(function (c) {
        var polys = c.boundary.type === "Polygon" ? [c.boundary.coordinates] : c.boundary.coordinates, d = "", sx = 0, sy = 0, n = 0;
        polys.forEach(function (poly) {
          poly.forEach(function (ring) {
            ring.forEach(function (p, i) { var q = project(f, p); d += (i ? "L" : "M") + q[0].toFixed(1) + " " + q[1].toFixed(1) + " "; sx += q[0]; sy += q[1]; n++; });
            d += "Z";
          });
        });
        el("path", { "class": "grid", "fill-rule": "evenodd", d: d }, s);
        var t = el("text", { "class": "label", x: (sx / n).toFixed(1), y: (sy / n).toFixed(1) }, s);
        t.textContent = c.name;
      });
      return s;
    };
    document.getElementById("import-preview").addEventListener("click", function () {
      var input = document.getElementById("import-file");
      result.textContent = ""; confirmBtn.hidden = true;
      if (!input.files || !input.files.length) { tell("请先选择 GeoJSON 文件", "err"); return; }
      if (input.files[0].size > 20 * 1024 * 1024) { tell("文件过大（最多 20 MB）", "err"); return; }
      tell("正在检查…");
      input.files[0].text().then(function (t) {
        try { JSON.parse(t); } catch (err) { tell("文件不是有效的 JSON，请确认是 GeoJSON 文件", "err"); return; }
        text = t;
        upload(true).then(function (r) {
          if (!r.ok) {
            tell(r.body.message || "文件有误", "err");
            var fields = r.body.fields || {};
            var lines = Object.keys(fields).map(function (k) { return fields[k]; });
            if (lines.length) { result.appendChild(listOf(lines)); }
            return;
          }
          var j = r.body;
          tell("检查通过：将更新 " + j.changed.length + " 个网格的边界，" + j.unchanged + " 个不变。确认后才会写入。", "ok");
          if (j.changed.length) {
            result.appendChild(listOf(j.changed.map(function (c) { return c.name + "（" + c.code + "）：" + (c.replaced ? "替换原边界" : "新增边界"); })));
            var pic = preview(j.changed);
            if (pic) { result.appendChild(pic); }
            confirmBtn.hidden = false;
          }
          var warn = checkLines(j.check, null);
          if (warn.length) {
            var h = document.createElement("p"); h.className = "status err";
            h.textContent = "注意：导入后网格之间有以下重叠或缝隙，您仍可决定是否导入。";
            result.appendChild(h); result.appendChild(listOf(warn));
          }
        });
      });
    });
    confirmBtn.addEventListener("click", function () {
      confirmBtn.hidden = true;
      tell("正在导入…");
      upload(false).then(function (r) {
        if (r.ok) {
          tell("已导入 " + r.body.changed.length + " 个网格的边界，原边界已记入历史。", "ok");
          var a = document.createElement("a"); a.href = "/areas/" + importArea; a.textContent = "返回查看地图";
          result.textContent = ""; result.appendChild(a);
        } else {
          tell(r.body.message || "导入失败", "err");
        }
      });
    });
  }
})();
