// 网格外勤：与系统同步。先传照片，再把待同步的操作按每批 50 条发给 /api/v1/field/sync；
// 每条的答复：applied（完成，移出队列）、conflict（别人改过，等网格员选择）、rejected（没通过，
// 按原因修改或删除）、retry（稍后重发）。联网时自动发送，失败后按 2、4、8 … 秒（最长 5 分钟）重试。
'use strict';
const FieldSync = (() => {
  const BATCH = 50;
  let running = null;
  let failures = 0;
  let timer = null;
  let csrf = null;
  const listeners = [];

  class SignedOut extends Error {}

  const onChange = (fn) => listeners.push(fn);
  const changed = (msg) => listeners.forEach((fn) => fn(msg));

  // The session is gone: forget the cached grid data (the queue stays for after signing in again).
  async function signedOut() {
    csrf = null;
    await FieldDB.wipeCache();
    changed('signed-out');
    throw new SignedOut('登录已过期');
  }

  async function touch() {
    const s = await FieldDB.meta('session');
    if (s) { s.last_contact = Date.now(); await FieldDB.setMeta('session', s); }
  }

  async function token() {
    if (csrf) return csrf;
    const r = await fetch('/api/v1/auth/me', { credentials: 'same-origin' });
    if (r.status === 401) await signedOut();
    if (!r.ok) throw new Error('HTTP ' + r.status);
    csrf = (await r.json()).csrf_token;
    return csrf;
  }

  async function api(method, path, body, headers) {
    for (let attempt = 0; attempt < 2; attempt++) {
      const h = Object.assign({}, headers || {});
      if (method !== 'GET') h['X-CSRF-Token'] = await token();
      const r = await fetch(path, { method, body, headers: h, credentials: 'same-origin' });
      if (r.status === 401) await signedOut();
      if (r.status === 403 && method !== 'GET' && attempt === 0) { csrf = null; continue; }
      if (r.ok) await touch();
      return r;
    }
    throw new Error('无权操作');
  }

  // Uploads the photos of one operation that are not up yet (each under its own key, so a re-send is harmless).
  async function uploadPhotos(op) {
    let changedOp = false;
    for (let i = 0; i < op.photos.length; i++) {
      if (op.uploads[i]) continue;
      const form = new FormData();
      form.append('file', op.photos[i], 'photo-' + i);
      const r = await api('POST', '/api/v1/field/photos?key=' + encodeURIComponent(op.op_id + '-' + i), form);
      if (!r.ok) {
        const j = await r.json().catch(() => ({}));
        if (r.status >= 500) throw new Error('HTTP ' + r.status);
        op.status = 'rejected';
        op.error = { message: j.message || '照片没有通过检查', fields: j.fields || {} };
        await FieldDB.put('ops', op);
        return false;
      }
      op.uploads[i] = (await r.json()).upload_id;
      changedOp = true;
    }
    if (changedOp) await FieldDB.put('ops', op);
    return true;
  }

  const wire = (op) => ({ op_id: op.op_id, kind: op.kind, id: op.id == null ? null : op.id, ref_op: op.ref_op || null,
    base_version: op.base_version == null ? null : op.base_version, data: op.data, data_refs: op.data_refs, photos: op.uploads });

  const CACHED = { person: 'person', house: 'house', household: 'household', rental: 'rental', place: 'place' };

  async function settle(batch, results) {
    let again = false;
    for (const res of results) {
      const op = batch.find((o) => o.op_id === res.op_id);
      if (!op) continue;
      if (res.status === 'applied') {
        await FieldDB.del('ops', op.op_id);
        const kind = CACHED[op.kind.split('.')[0]];
        if (kind && res.record) await FieldDB.put('records', Object.assign({ key: kind + ':' + res.id }, res.record));
        const p = await FieldDB.meta('patrol');
        if (op.kind === 'patrol.start' && p && p.start_op === op.op_id) { p.id = res.id; await FieldDB.setMeta('patrol', p); }
      } else if (res.status === 'conflict') {
        op.status = 'conflict';
        op.current = res.current;
        await FieldDB.put('ops', op);
      } else if (res.status === 'rejected') {
        op.status = 'rejected';
        op.error = { message: res.message, fields: res.fields || {} };
        await FieldDB.put('ops', op);
      } else {
        again = true;
      }
    }
    return again;
  }

  function schedule() {
    clearTimeout(timer);
    const delay = Math.min(300000, 2000 * 2 ** Math.min(failures, 8)) * (0.75 + Math.random() / 2);
    timer = setTimeout(syncNow, delay);
  }

  // Sends everything waiting; resolves with a short Chinese status.
  function syncNow() {
    if (running) return running;
    running = (async () => {
      clearTimeout(timer);
      let again = false;
      try {
        if (!navigator.onLine) throw new Error('没有网络');
        const waiting = (await FieldDB.ops()).filter((o) => o.status === 'waiting');
        for (let i = 0; i < waiting.length; i += BATCH) {
          const batch = [];
          for (const op of waiting.slice(i, i + BATCH)) if (await uploadPhotos(op)) batch.push(op);
          if (!batch.length) continue;
          const r = await api('POST', '/api/v1/field/sync', JSON.stringify({ ops: batch.map(wire) }),
            { 'Content-Type': 'application/json' });
          if (!r.ok) throw new Error('HTTP ' + r.status);
          again = (await settle(batch, (await r.json()).results)) || again;
          changed('progress');
        }
        failures = again ? failures + 1 : 0;
        if (again) schedule();
        await FieldDB.setMeta('last_sync', Date.now());
        return again ? '部分内容稍后再发' : '已同步';
      } catch (e) {
        if (e instanceof SignedOut) return '登录已过期，请重新登录后再同步';
        failures++;
        schedule();
        return navigator.onLine ? '同步失败，稍后自动重试' : '没有网络，有信号后自动发送';
      } finally {
        running = null;
        changed('done');
      }
    })();
    return running;
  }

  // Sends soon (after the undo window of the last save).
  function soon(ms) {
    clearTimeout(timer);
    timer = setTimeout(syncNow, ms);
  }

  window.addEventListener('online', () => { failures = 0; syncNow(); });

  return { syncNow, soon, api, token, onChange, SignedOut };
})();
