// 网格外勤：手机上的数据（IndexedDB）。ops 是待同步的操作（照片以 Blob 存放），records 是本网格的缓存
// （人员已脱敏，带版本号），meta 放会话到期时间、待办和代码表。缓存在退出、会话过期时清除；
// 待同步的操作只在退出登录时清除（那是还没交上去的工作）。
'use strict';
const FieldDB = (() => {
  const NAME = 'wangge-field';
  let opening = null;

  function open() {
    if (!opening) {
      opening = new Promise((ok, fail) => {
        const r = indexedDB.open(NAME, 1);
        r.onupgradeneeded = () => {
          const db = r.result;
          db.createObjectStore('ops', { keyPath: 'op_id' });
          db.createObjectStore('records', { keyPath: 'key' });
          db.createObjectStore('meta', { keyPath: 'k' });
        };
        r.onsuccess = () => {
          r.result.onversionchange = () => { r.result.close(); opening = null; };
          ok(r.result);
        };
        r.onerror = () => { opening = null; fail(r.error); };
      });
    }
    return opening;
  }

  // Runs fn(stores...) in one transaction; resolves with fn's value once the transaction is done.
  async function run(names, mode, fn) {
    const db = await open();
    return new Promise((ok, fail) => {
      const t = db.transaction(names, mode);
      let out;
      t.oncomplete = () => ok(out);
      t.onerror = () => fail(t.error);
      t.onabort = () => fail(t.error);
      const stores = names.map((n) => t.objectStore(n));
      fn(...stores).then((v) => { out = v; }, (e) => { t.abort(); fail(e); });
    });
  }

  const wait = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });

  const get = (store, key) => run([store], 'readonly', (s) => wait(s.get(key)));
  const all = (store) => run([store], 'readonly', (s) => wait(s.getAll()));
  const put = (store, value) => run([store], 'readwrite', (s) => wait(s.put(value)));
  const del = (store, key) => run([store], 'readwrite', (s) => wait(s.delete(key)));

  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  // The queue, oldest first.
  async function ops() {
    const list = await all('ops');
    return list.sort((a, b) => a.created - b.created || (a.seq || 0) - (b.seq || 0));
  }

  let seq = 0;
  async function addOp(op) {
    const full = Object.assign({ op_id: newId(), status: 'waiting', created: Date.now(), seq: seq++, data: {},
      data_refs: {}, photos: [], uploads: [] }, op);
    await put('ops', full);
    return full;
  }

  const meta = async (k) => { const m = await get('meta', k); return m ? m.v : null; };
  const setMeta = (k, v) => put('meta', { k, v });

  // Replaces the cached records with a fresh snapshot (one transaction).
  function replaceRecords(records) {
    return run(['records'], 'readwrite', async (s) => {
      await wait(s.clear());
      for (const r of records) s.put(r);
    });
  }

  // Forgets the cached grid data (people, houses …, to-do); keeps the queue.
  async function wipeCache() {
    await run(['records', 'meta'], 'readwrite', async (r, m) => {
      await wait(r.clear());
      for (const k of ['snapshot', 'session']) m.delete(k);
    });
  }

  // Forgets everything on this phone (sign-out).
  async function wipeAll() {
    const db = await open();
    db.close();
    opening = null;
    await new Promise((ok) => { const r = indexedDB.deleteDatabase(NAME); r.onsuccess = r.onerror = r.onblocked = () => ok(); });
    if (self.caches) for (const k of await caches.keys()) await caches.delete(k);
  }

  return { get, all, put, del, ops, addOp, meta, setMeta, replaceRecords, wipeCache, wipeAll, newId };
})();
