// 网格外勤的离线脚本（service worker，作用范围 /field/）。安装时把应用外壳（页面、样式、脚本、图标，
// 不含任何个人信息）存进手机；打开 /field/ 下的页面时先用手机里的外壳，没有信号也能打开。
// 接口（/api/）从不缓存；接口答复 401（登录已过期）时通知页面清除本网格缓存。
// 上面由服务器写入 VERSION（外壳文件的哈希）和 SHELL（外壳文件列表）。
const CACHE = 'field-shell-' + VERSION;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL.map((u) => new Request(u, { credentials: 'same-origin' }))))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('field-shell-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

async function tellPages(msg) {
  for (const c of await self.clients.matchAll({ includeUncontrolled: true })) c.postMessage(msg);
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (url.origin !== location.origin || req.method !== 'GET') {
    if (url.pathname.startsWith('/api/')) {
      event.respondWith(fetch(req).then((r) => { if (r.status === 401) tellPages({ type: 'signed-out' }); return r; }));
    }
    return;
  }
  if (url.pathname.startsWith('/api/')) {
    event.respondWith(fetch(req).then((r) => { if (r.status === 401) tellPages({ type: 'signed-out' }); return r; }));
    return;
  }
  if (req.mode === 'navigate' && url.pathname.startsWith('/field/')) {
    // Every task page is the same shell: the cached one at once, the network only if it is missing.
    const page = SHELL.includes(url.pathname) ? url.pathname : '/field/';
    event.respondWith(caches.match(page, { ignoreSearch: true }).then((hit) => hit || fetch(req)));
    return;
  }
  event.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
});
