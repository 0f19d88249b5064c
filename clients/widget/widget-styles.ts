/** The widget's styles, scoped by its shadow root so neither the host page nor the widget restyles the other. */
export const WIDGET_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
.root { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif; color: #1f2430; }
button, input, textarea { font: inherit; color: inherit; }
.launcher { width: 56px; height: 56px; border-radius: 50%; border: none; background: #2f6fed; color: #fff; cursor: pointer; box-shadow: 0 6px 18px rgba(20,40,90,.3); display: grid; place-items: center; margin-left: auto; position: relative; }
.launcher:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, .messages:focus-visible { outline: 3px solid #ffb020; outline-offset: 2px; }
.launcher svg { width: 28px; height: 28px; fill: currentColor; }
.badge { position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; padding: 0 6px; border-radius: 10px; background: #e5484d; color: #fff; font-size: 12px; line-height: 20px; }
.panel { width: min(370px, calc(100vw - 40px)); height: min(560px, calc(100vh - 110px)); margin-bottom: 14px; background: #fff; border-radius: 14px; box-shadow: 0 12px 40px rgba(20,40,90,.28); display: flex; flex-direction: column; overflow: hidden; }
.panel[hidden], [hidden] { display: none !important; }
header { background: #2f6fed; color: #fff; padding: 14px 16px; }
header h2 { margin: 0; font-size: 16px; }
header p { margin: 2px 0 0; opacity: .85; font-size: 13px; }
.banner { padding: 6px 12px; font-size: 13px; background: #fff4d6; color: #6b4b00; border-bottom: 1px solid #f1dfa6; }
.banner.offline { background: #fde8e8; color: #8a1c1c; border-color: #f3c3c3; }
.notice { padding: 8px 14px; font-size: 13px; background: #f3f6fc; border-bottom: 1px solid #e3e8f3; }
.messages { list-style: none; margin: 0; padding: 12px; flex: 1; overflow-y: auto; display: flex; flex-direction: column; gap: 8px; }
.message { max-width: 80%; padding: 8px 11px; border-radius: 12px; background: #eef1f6; align-self: flex-start; }
.message.own { align-self: flex-end; background: #2f6fed; color: #fff; }
.message.system { align-self: center; background: transparent; color: #5a6275; font-size: 12px; text-align: center; }
.message .text { margin: 0; white-space: pre-wrap; word-break: break-word; }
.message .author { display: block; font-size: 12px; font-weight: 600; color: #4a5266; }
.message .meta { display: block; font-size: 11px; opacity: .75; margin-top: 2px; text-align: right; }
.message.failed { background: #e5484d; }
.typing { padding: 0 14px 6px; font-size: 12px; color: #5a6275; min-height: 18px; }
form.composer { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e3e8f3; }
.composer textarea { flex: 1; resize: none; border: 1px solid #cfd6e4; border-radius: 8px; padding: 8px; height: 40px; max-height: 120px; }
.primary { border: none; border-radius: 8px; background: #2f6fed; color: #fff; padding: 0 14px; cursor: pointer; min-height: 36px; }
.primary:disabled { opacity: .5; cursor: default; }
.secondary { border: 1px solid #cfd6e4; border-radius: 8px; background: #fff; padding: 6px 12px; cursor: pointer; }
form.prechat, .rating { padding: 16px; display: flex; flex-direction: column; gap: 10px; }
.rating { max-height: 55%; overflow-y: auto; flex-shrink: 0; }
.rating .email-request { padding: 10px 0 0; }
label { display: flex; flex-direction: column; gap: 4px; font-size: 13px; }
input, .rating textarea { border: 1px solid #cfd6e4; border-radius: 8px; padding: 8px; }
fieldset { border: none; margin: 0; padding: 0; display: flex; gap: 4px; }
legend { font-weight: 600; margin-bottom: 6px; }
.stars label { display: inline; }
.stars input { position: absolute; opacity: 0; width: 1px; height: 1px; }
.stars span { font-size: 26px; color: #c9cfdb; cursor: pointer; }
.stars input:checked ~ span, .stars label.lit span { color: #f5a623; }
.stars input:focus-visible + span { outline: 3px solid #ffb020; border-radius: 4px; }
.error { color: #b42318; font-size: 13px; margin: 0; }
.panel > .error { padding: 4px 12px; }
.away { padding: 8px 14px; font-size: 13px; background: #fff4d6; color: #5c4200; border-bottom: 1px solid #f1dfa6; }
.offline-section { padding: 16px; overflow-y: auto; flex: 1; }
form.offline, .email-request { display: flex; flex-direction: column; gap: 10px; }
form.offline p { margin: 0; }
form.offline textarea { border: 1px solid #cfd6e4; border-radius: 8px; padding: 8px; resize: vertical; }
[aria-invalid="true"] { border-color: #b42318; }
.field-error { color: #b42318; font-size: 12px; min-height: 0; }
.field-error:empty { display: none; }
.confirmation { margin: 0; padding: 12px; border-radius: 8px; background: #e7f6ec; color: #14532d; }
.email-request { padding: 10px 14px; border-top: 1px solid #e3e8f3; }
.email-request .prompt { margin: 0; font-weight: 600; }
.request-status { margin: 0; font-size: 13px; }
.request-status:empty { display: none; }
.handoff { margin: 0 14px 8px; align-self: flex-start; }
.message.bot { background: #e9f0ff; }
.previous { margin: 8px 14px 0; border-bottom: 1px solid #e3e7ef; padding-bottom: 6px; max-height: 60%; overflow: auto; flex-shrink: 0; }
.previous summary { cursor: pointer; font-weight: 600; font-size: 13px; }
.previous-list { list-style: none; margin: 6px 0; padding: 0; }
.previous-item { width: 100%; display: flex; justify-content: space-between; gap: 8px; border: none; background: #f3f5fa; border-radius: 8px; padding: 6px 10px; margin-bottom: 4px; cursor: pointer; text-align: left; }
.previous-state, .previous-status { color: #5a6478; font-size: 12px; }
.previous-status:empty { display: none; }
.previous-reader .messages { max-height: 220px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (prefers-reduced-motion: no-preference) { .panel { animation: rise .16s ease-out; } @keyframes rise { from { transform: translateY(8px); opacity: 0; } } }
`;
