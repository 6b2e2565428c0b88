// 网格外勤：巡查中的检查清单（六个重点领域，逐项 正常 / 有问题 / 不涉及）和发现（可同时上报为事件）。
// 巡查屏也在这里（日巡查只有这一个屏）：签到、选网格开始、巡查中记轨迹、结束、我最近的巡查。
// 都进待同步队列（check_in、patrol.start、patrol.checks、patrol.finding，后几条用 ref_op 指向开始巡查那一条），离线也能记。
'use strict';
const FieldPatrol = (() => {
  const RESULTS = [['ok', '正常'], ['problem', '有问题'], ['na', '不涉及']];

  /// The checklist form's results: one per item with a choice made.
  function results(form, items) {
    const out = [];
    for (const it of items) {
      const r = form.querySelector('[name="result-' + it.id + '"]:checked');
      if (!r) continue;
      const note = form.querySelector('[name="note-' + it.id + '"]').value.trim();
      out.push(Object.assign({ item_id: it.id, result: r.value }, note ? { note } : {}));
    }
    return out;
  }

  /// patrols/model.rs check_results, in its words (keys name the phone's fields).
  function checkResults(list) {
    const e = {};
    if (!list.length) e._ = '请至少填写一项检查结果';
    for (const r of list) {
      const n = Array.from(r.note || '').length;
      if (n > 200) e['note-' + r.item_id] = '说明最多 200 字';
      else if (r.result === 'problem' && !n) e['note-' + r.item_id] = '有问题时请写明情况';
    }
    return e;
  }

  /// patrols/service.rs check_finding, in its words.
  function checkFinding(d) {
    const e = {};
    const n = Array.from(String(d.description || '').trim()).length;
    if (!n) e.description = '请填写发现的问题';
    else if (n > 500) e.description = '发现的问题不能超过 500 个字';
    else if (n < 10) e.description = '请把问题写清楚（至少 10 个字）';
    if (Array.from(String(d.address || '').trim()).length > 200) e.address = '地点不能超过 200 个字';
    return e;
  }

  /// Draws the checklist and wires both forms. `app`: { el, queue, showErrors, formData, target, lastPoint }.
  function setUp(app, checklist) {
    const items = (checklist || []).filter((it) => it.active !== false);
    const form = document.getElementById('patrol-checks');
    const box = document.getElementById('patrol-items');
    box.textContent = '';
    for (const it of items) {
      const choices = RESULTS.map(([v, l]) => app.el('label', { class: 'choice' },
        app.el('input', { type: 'radio', name: 'result-' + it.id, value: v }), ' ' + l));
      box.append(app.el('fieldset', { class: 'field check', 'data-item': String(it.id) },
        app.el('legend', {}, it.name), ...choices,
        app.el('input', { name: 'note-' + it.id, placeholder: '说明（有问题时必填）', autocomplete: 'off' })));
    }
    if (!items.length) box.append(app.el('p', { class: 'muted' }, '本机还没有检查清单，请联网后回到首页刷新。'));
    const select = document.getElementById('finding-item');
    select.textContent = '';
    select.append(app.el('option', { value: '' }, '（不属于某一项）'));
    for (const it of items) select.append(app.el('option', { value: String(it.id) }, it.name));

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const list = results(form, items);
      if (!app.showErrors(form, document.getElementById('patrol-checks-errors'), checkResults(list))) return;
      const t = app.target();
      if (!t) return;
      await app.queue(Object.assign({ kind: 'patrol.checks', data: { items: list }, label: '巡查检查结果（' + list.length + ' 项）' }, t), '已保存检查结果');
    });

    const finding = document.getElementById('patrol-finding');
    finding.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const d = app.formData(finding);
      if (!app.showErrors(finding, document.getElementById('patrol-finding-errors'), checkFinding(d))) return;
      const t = app.target();
      if (!t) return;
      if (d.item_id) d.item_id = Number(d.item_id);
      const at = app.lastPoint();
      if (at) { d.lat = at.lat; d.lng = at.lng; }
      const what = d.report ? '巡查发现（上报事件）' : '巡查发现';
      await app.queue(Object.assign({ kind: 'patrol.finding', data: d, label: what + '：' + d.description.slice(0, 20) }, t), '已记下发现');
      finding.reset();
    });
  }


  const hhmm = (ms) => new Date(ms + 8 * 3600000).toISOString().slice(11, 16);

  /// The day's check-in card: the server's record (snapshot) or the one this phone queued today.
  async function checkIn(app) {
    const { $ } = FieldUI;
    const day = FieldUI.today();
    const fromSnap = app.snap && app.snap.todo.check_in;
    let c = fromSnap && fromSnap.day === day ? fromSnap : await FieldDB.meta('checkin');
    if (c && c.day !== day) c = null;
    const draw = () => {
      $('#checkin-status').textContent = c ? '今天已于 ' + hhmm(c.at) + ' 签到。' : '今天还没有签到。';
      $('#checkin-button').hidden = !!c;
    };
    $('#checkin-button').addEventListener('click', async () => {
      const data = { at: Date.now() };
      c = { day, at: data.at };
      await FieldDB.setMeta('checkin', c);
      draw();
      const p = await here();
      if (p) Object.assign(data, p);
      await app.queue({ kind: 'check_in', data, label: '签到' }, '已签到', async () => {
        c = null;
        await FieldDB.setMeta('checkin', null);
        draw();
      });
    });
    draw();
  }

  /// Where the phone is, if it says so within a few seconds (a check-in never waits on it for long).
  function here() {
    if (!navigator.geolocation) return Promise.resolve(null);
    return new Promise((ok) => {
      navigator.geolocation.getCurrentPosition(
        (pos) => ok({ lat: pos.coords.latitude, lng: pos.coords.longitude, accuracy: Math.max(1, pos.coords.accuracy) }),
        () => ok(null), { enableHighAccuracy: true, timeout: 5000, maximumAge: 60000 });
    });
  }

  /// The grid choice (only when the worker keeps more than one) and the last patrols, each linking to its record.
  function gridsAndRecent(snap) {
    const { $, el } = FieldUI;
    const grids = (snap && snap.grids) || [];
    const select = $('#patrol-grid');
    select.textContent = '';
    for (const g of grids) select.append(el('option', { value: String(g.id) }, g.name));
    $('#patrol-grid-field').hidden = grids.length < 2;
    refresh(snap);
    return () => (grids.length > 1 ? { grid_id: Number(select.value) } : {});
  }

  /// Redraws what a fresh snapshot changes: the last patrols and, once the server has it, today's check-in.
  function refresh(snap) {
    const { $, el } = FieldUI;
    const c = snap && snap.todo.check_in;
    if (c && c.day === FieldUI.today()) {
      $('#checkin-status').textContent = '今天已于 ' + hhmm(c.at) + ' 签到。';
      $('#checkin-button').hidden = true;
    }
    const list = $('#patrol-recent');
    list.textContent = '';
    const recent = (snap && snap.todo.recent_patrols) || [];
    for (const r of recent) {
      const what = r.open ? '巡查中' : r.minutes + ' 分钟 · ' + r.km + ' 公里';
      const found = r.findings ? ' · 发现 ' + r.findings + ' 个问题' : '';
      list.append(el('li', {}, el('a', { href: '/patrols/' + r.id }, r.started_text + ' ' + r.grid_name),
        el('span', { class: 'muted' }, ' ' + what + found)));
    }
    if (!recent.length) list.append(el('li', { class: 'muted' }, '还没有巡查记录。'));
  }

  let watcher = null;
  /// The patrol screen: start, the track while running, checklist and findings, end.
  /// `app`: { snap, queue, refreshCount } from field.js.
  async function render(app) {
    const { $, el, showErrors, formData } = FieldUI;
    const { snap, queue } = app;
    await checkIn(app);
    const gridChoice = gridsAndRecent(snap);
    let p = await FieldDB.meta('patrol');
    if (!p && snap && snap.todo.patrol) { p = { id: snap.todo.patrol.id, started_at: snap.todo.patrol.started_at, points: [] }; await FieldDB.setMeta('patrol', p); }
    const target = (x) => (x.id ? { id: x.id } : { ref_op: x.start_op });
    const draw = () => {
      $('#patrol-start').hidden = !!p;
      $('#patrol-grid-field').hidden = !!p || !snap || snap.grids.length < 2;
      $('#patrol-running').hidden = !p;
      $('#patrol-status').textContent = p ? '巡查中：已 ' + Math.round((Date.now() - p.started_at) / 60000) + ' 分钟，记下 ' + (p.count || 0) + ' 个位置' : '还没有开始巡查。';
    };
    const watch = () => {
      if (!p || watcher != null || !navigator.geolocation) return;
      watcher = navigator.geolocation.watchPosition(async (pos) => {
        p.points = p.points || [];
        p.points.push({ lat: pos.coords.latitude, lng: pos.coords.longitude, accuracy: Math.max(1, pos.coords.accuracy), at: pos.timestamp });
        p.count = (p.count || 0) + 1;
        if (p.points.length >= 20) {
          await FieldDB.addOp(Object.assign({ kind: 'patrol.points', data: { points: p.points }, label: '巡查轨迹（' + p.points.length + ' 个位置）' }, target(p)));
          p.points = [];
          app.refreshCount();
        }
        await FieldDB.setMeta('patrol', p);
        draw();
      }, () => {}, { enableHighAccuracy: true, maximumAge: 10000 });
    };
    setUp({
      el, queue, showErrors, formData,
      target: () => (p ? target(p) : null),
      lastPoint: () => (p && p.points && p.points.length ? p.points[p.points.length - 1] : null),
    }, snap && snap.todo.checklist);
    $('#patrol-start').addEventListener('click', async () => {
      const op = await queue({ kind: 'patrol.start', data: Object.assign({ started_at: Date.now() }, gridChoice()), label: '开始巡查' }, '已开始巡查', async () => {
        if (watcher != null) navigator.geolocation.clearWatch(watcher);
        watcher = null;
        p = null;
        await FieldDB.setMeta('patrol', null);
        draw();
      });
      p = { start_op: op.op_id, started_at: op.data.started_at, points: [], count: 0 };
      await FieldDB.setMeta('patrol', p);
      draw();
      watch();
    });
    $('#patrol-end').addEventListener('click', async () => {
      if (!confirm('确定结束这次巡查吗？')) return;
      if (watcher != null) navigator.geolocation.clearWatch(watcher);
      watcher = null;
      const data = { note: $('#patrol-note').value.trim(), ended_at: Date.now() };
      if (p.points && p.points.length) data.points = p.points;
      const ended = p;
      await queue(Object.assign({ kind: 'patrol.end', data, label: '结束巡查' }, target(p)), '已结束巡查', async () => {
        p = ended;
        await FieldDB.setMeta('patrol', p);
        draw();
        watch();
      });
      await FieldDB.setMeta('patrol', null);
      p = null;
      draw();
    });
    draw();
    watch();
  }


  return { setUp, render, refresh, checkResults, checkFinding };
})();
