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

  return { setUp, allowed, check };
})();
