// 网格外勤：巡查中的检查清单（六个重点领域，逐项 正常 / 有问题 / 不涉及）和发现（可同时上报为事件）。
// 和开始、结束巡查一样进待同步队列（patrol.checks、patrol.finding，用 ref_op 指向开始巡查那一条），离线也能记。
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

  return { setUp, checkResults, checkFinding };
})();
