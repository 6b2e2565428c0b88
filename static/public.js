// The resident report form: fill the location from the phone (navigator.geolocation) when the
// resident asks; without it (or without script) they type the place. Nothing else runs here.
(function () {
  var btn = document.getElementById('use-location');
  if (!btn) return;
  var lon = document.getElementById('lon');
  var lat = document.getElementById('lat');
  var status = document.getElementById('geo-status');
  if (!('geolocation' in navigator)) {
    status.textContent = '这部手机不能定位，请在下面写清地点。';
    btn.hidden = true;
    return;
  }
  btn.hidden = false;
  btn.addEventListener('click', function () {
    status.textContent = '正在定位…';
    navigator.geolocation.getCurrentPosition(function (p) {
      lon.value = p.coords.longitude.toFixed(6);
      lat.value = p.coords.latitude.toFixed(6);
      status.textContent = '已定位（误差约 ' + Math.round(p.coords.accuracy) + ' 米）。也可以在下面补充地点。';
    }, function () {
      status.textContent = '没能定位（可能没有允许定位），请在下面写清地点。';
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
})();
