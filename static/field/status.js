// 网格外勤：人员状态变更（迁出、死亡、流动人口离开，或迁回），带日期和原因，从不删除。
// 进待同步队列（person.status，带修改前的版本号：离线时别人也改了，同步时并排对照）。规则和措辞出自 registry/persons.rs change_status。
'use strict';
const FieldStatus = (() => {
  const LABELS = { active: '在册', moved_out: '已迁出', deceased: '已死亡', left: '已离开（流动人口）' };
  const CHOICES = { moved_out: '迁出', deceased: '死亡', left: '离开（流动人口）', active: '迁回（恢复在册）' };

  /// The changes the server allows from a person's kind and status.
  function allowed(kind, status) {
    if (status === 'active') return kind === 'floating' ? ['left', 'deceased'] : ['moved_out', 'deceased'];
    if (status === 'moved_out' || status === 'left') return ['active'];
    return [];
  }

  function check(d, today) {
    const e = {};
    if (!FieldChecks.isDate(d.date)) e.date = '日期格式应为 年-月-日，例如 2026-03-01';
    else if (d.date > today) e.date = '日期不能晚于今天';
    const n = Array.from(String(d.reason || '').trim()).length;
    if (!n) e.reason = '请填写原因';
    else if (n > 200) e.reason = '原因不能超过 200 个字';
    return e;
  }

  /// Shows the form under a cached person's edit form. `app`: { el, queue, showErrors, formData, today }.
  function setUp(app, base) {
    const form = document.getElementById('status-form');
    const to = allowed(base.kind, base.status || 'active');
    if (!to.length) return;
    form.hidden = false;
    document.getElementById('status-now').textContent = '现在：' + (LABELS[base.status || 'active'] || base.status);
    const sel = document.getElementById('status-to');
    sel.textContent = '';
    for (const s of to) sel.append(app.el('option', { value: s }, CHOICES[s]));
    form.querySelector('[name=date]').value = app.today();
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const d = app.formData(form);
      if (!app.showErrors(form, document.getElementById('status-errors'), check(d, app.today()))) return;
      const label = '状态变更：' + base.name + ' → ' + CHOICES[d.status];
      await app.queue({ kind: 'person.status', id: base.id, base_version: base.version, data: d, label }, '已保存“' + label + '”');
      form.hidden = true;
      setTimeout(() => { location.href = '/field/people'; }, 1500);
    });
  }

  /// registry/model.rs check_extra (prefix `data.`) and registry/special.rs create, in their words.
  function checkFile(k, d) {
    const e = {};
    const data = d.data || {};
    for (const f of k.fields) {
      const v = String(data[f.key] || '').trim();
      const name = 'data.' + f.key;
      if (!v) { if (f.required) e[name] = '请填写' + f.label; continue; }
      if (Array.from(v).length > 200) e[name] = f.label + '不能超过 200 个字';
      else if (f.type === 'date' && !FieldChecks.isDate(v)) e[name] = f.label + '应为日期，如 2026-03-01';
    }
    if (k.kind === 'mental_disorder' && !e['data.risk_level'] && !['0', '1', '2', '3', '4', '5'].includes(String(data.risk_level || '').trim())) {
      e['data.risk_level'] = '危险性评估等级应为 0–5';
    }
    if (d.next_visit_due && !FieldChecks.isDate(d.next_visit_due)) e.next_visit_due = '日期格式应为 年-月-日，例如 2026-03-01';
    return e;
  }

  /// The form for a new special-population file of a cached person (kinds and fields from the snapshot).
  function specialFile(app, base, kinds) {
    const form = document.getElementById('special-form');
    if (!kinds || !kinds.length) return;
    form.hidden = false;
    const sel = document.getElementById('special-kind');
    const box = document.getElementById('special-fields');
    sel.textContent = '';
    for (const k of kinds) sel.append(app.el('option', { value: k.kind }, k.label));
    const draw = () => {
      const k = kinds.find((x) => x.kind === sel.value);
      box.textContent = '';
      for (const f of k.fields) {
        const input = f.type === 'bool'
          ? app.el('select', { name: 'data.' + f.key }, app.el('option', { value: '' }, '请选择'), app.el('option', { value: 'true' }, '是'), app.el('option', { value: 'false' }, '否'))
          : app.el('input', { name: 'data.' + f.key, type: f.type === 'date' ? 'date' : 'text', autocomplete: 'off' });
        box.append(app.el('label', { class: 'field' }, f.label + (f.required ? '' : '（可不填）'), input));
      }
    };
    sel.addEventListener('change', draw);
    draw();
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const d = app.formData(form);
      const k = kinds.find((x) => x.kind === d.kind);
      if (!app.showErrors(form, document.getElementById('special-errors'), checkFile(k, d))) return;
      d.data = d.data || {};
      const label = '特殊人群档案：' + base.name + '（' + k.label + '）';
      await app.queue({ kind: 'special.create', id: base.id, data: d, label }, '已保存' + label);
      form.hidden = true;
    });
  }

  return { setUp, allowed, check, specialFile, checkFile };
})();
