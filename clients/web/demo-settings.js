// The demo page's own settings from its address: /demo/?skill=billing&lang=zh-CN embeds the
// widget for that skill and language. A file, not inline: the deployed CSP allows only
// same-origin scripts. Skills as functions/domain/identity.ts SKILL_PATTERN.
(() => {
  const query = new URLSearchParams(window.location.search);
  const skill = query.get('skill');
  const locale = query.get('lang');
  const fromQuery = {};
  if (skill && /^[a-z0-9][a-z0-9_-]{0,31}$/.test(skill)) fromQuery.skill = skill;
  if (locale && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(locale)) fromQuery.locale = locale;
  window.ParleySettings = Object.assign({}, window.ParleySettings, fromQuery);
})();
