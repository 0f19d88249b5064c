import { ATTACHMENT_CSS } from '../web/attachments';
/**
 * The widget's styles, scoped by its shadow root so neither the host page nor the widget
 * restyles the other. Colours meet WCAG AA: text 4.5:1, borders, stars and focus rings 3:1.
 */
export const WIDGET_CSS = `${ATTACHMENT_CSS}
:host { all: initial; }
* { box-sizing: border-box; }
.root { --brand: #1f5bd0; --ink: #1f2430; --muted: #5a6275; --line: #e3e8f3; --field: #8792a8; --ring: #1f5bd0; position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif; color: var(--ink); }
button, input, textarea { font: inherit; color: inherit; }
.launcher { width: 56px; height: 56px; border-radius: 50%; border: none; background: var(--brand); color: #fff; cursor: pointer; box-shadow: 0 6px 18px rgba(20,40,90,.3); display: grid; place-items: center; margin-left: auto; position: relative; }
.launcher:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, .thread:focus-visible { outline: 3px solid var(--ring); outline-offset: 2px; }
.launcher svg { width: 28px; height: 28px; fill: currentColor; }
.badge { position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; padding: 0 6px; border-radius: 10px; background: #c8272d; color: #fff; font-size: 12px; line-height: 20px; box-shadow: 0 0 0 2px #fff; }
.panel { width: min(370px, calc(100vw - 40px)); height: min(600px, calc(100vh - 110px)); margin-bottom: 14px; background: #fff; border-radius: 14px; box-shadow: 0 12px 40px rgba(20,40,90,.28); display: flex; flex-direction: column; overflow: hidden; }
.panel[hidden], [hidden] { display: none !important; }
header { background: var(--brand); color: #fff; padding: 12px 8px 12px 16px; display: flex; align-items: flex-start; gap: 8px; flex-shrink: 0; }
header .heading { flex: 1; min-width: 0; }
header h2 { margin: 0; font-size: 16px; }
header p { margin: 2px 0 0; color: #e8efff; font-size: 13px; }
header button:focus-visible { outline-color: #fff; outline-offset: -3px; }
.close { width: 40px; height: 40px; flex-shrink: 0; border: none; border-radius: 8px; background: transparent; color: #fff; cursor: pointer; display: grid; place-items: center; }
.close:hover { background: rgba(255,255,255,.16); }
.close svg { width: 20px; height: 20px; stroke: currentColor; stroke-width: 2.4; stroke-linecap: round; fill: none; }
.banner { padding: 6px 12px; font-size: 13px; background: #fff4d6; color: #6b4b00; border-bottom: 1px solid #f1dfa6; }
.banner.offline { background: #fde8e8; color: #8a1c1c; border-color: #f3c3c3; }
.notice { padding: 8px 14px; font-size: 13px; background: #f3f6fc; border-bottom: 1px solid var(--line); }
.problem { padding: 12px 14px; background: #fde8e8; color: #7a1717; border-bottom: 1px solid #f3c3c3; display: flex; flex-direction: column; gap: 8px; }
.problem p { margin: 0; }
.problem .actions { display: flex; flex-wrap: wrap; gap: 8px; }
.thread { position: relative; flex: 1; min-height: 0; overflow-y: auto; display: flex; flex-direction: column; }
.home { padding: 20px 16px 8px; }
.home h3 { margin: 0 0 4px; font-size: 20px; }
.home p { margin: 0; color: var(--muted); }
.home .team-status { margin-top: 12px; display: flex; align-items: center; gap: 8px; color: var(--ink); font-weight: 600; }
.home .team-status::before { content: ""; width: 10px; height: 10px; border-radius: 50%; background: #767f93; }
.home .team-status.online::before { background: #1f7a3d; }
.messages { list-style: none; margin: 0; padding: 12px; flex: 1 0 auto; display: flex; flex-direction: column; gap: 8px; }
.message { max-width: 80%; padding: 8px 11px; border-radius: 12px; background: #eef1f6; align-self: flex-start; }
.message.own { align-self: flex-end; background: var(--brand); color: #fff; }
.message.system { align-self: center; background: transparent; color: var(--muted); font-size: 12px; text-align: center; }
.message .text { margin: 0; white-space: pre-wrap; word-break: break-word; }
.message .author { display: block; font-size: 12px; font-weight: 600; color: #4a5266; }
.message .meta { display: block; font-size: 11px; color: var(--muted); margin-top: 2px; text-align: right; }
.message.own .meta { color: #dce6ff; }
.message.failed { background: #b42318; }
.message.failed .meta { color: #fff; }
.typing { padding: 0 14px 6px; font-size: 12px; color: var(--muted); min-height: 18px; flex-shrink: 0; }
form.composer { display: flex; gap: 8px; padding: 10px; border-top: 1px solid var(--line); flex-shrink: 0; }
.composer textarea { flex: 1; resize: none; border: 1px solid var(--field); border-radius: 8px; padding: 8px; height: 40px; max-height: 120px; }
.primary { border: none; border-radius: 8px; background: var(--brand); color: #fff; padding: 0 14px; cursor: pointer; min-height: 36px; }
.primary:disabled { background: #5a6275; cursor: default; }
.secondary { border: 1px solid var(--field); border-radius: 8px; background: #fff; padding: 6px 12px; cursor: pointer; min-height: 36px; }
form.prechat, .rating { padding: 16px; display: flex; flex-direction: column; gap: 10px; }
.rating { flex-shrink: 0; border-top: 1px solid var(--line); background: #f8fafd; }
.rating .closed-notice { margin: 0; font-weight: 600; }
.rating .email-request { padding: 10px 0 0; }
label { display: flex; flex-direction: column; gap: 4px; font-size: 13px; }
input, .rating textarea { border: 1px solid var(--field); border-radius: 8px; padding: 8px; background: #fff; }
fieldset { border: none; margin: 0; padding: 0; display: flex; gap: 4px; }
legend { font-weight: 600; margin-bottom: 6px; }
.stars label { display: inline; }
.stars input { position: absolute; opacity: 0; width: 1px; height: 1px; }
.stars span { font-size: 28px; color: #767f93; cursor: pointer; padding: 0 2px; }
.stars input:checked ~ span, .stars label.lit span { color: #b45309; }
.stars input:focus-visible + span { outline: 3px solid var(--ring); border-radius: 4px; }
.error { color: #b42318; font-size: 13px; margin: 0; }
.panel > .error { padding: 4px 12px; }
.away { padding: 8px 14px; font-size: 13px; background: #fff4d6; color: #5c4200; border-bottom: 1px solid #f1dfa6; }
.offline-section { padding: 16px; overflow-y: auto; flex: 1; }
form.offline, .email-request { display: flex; flex-direction: column; gap: 10px; }
form.offline p { margin: 0; }
form.offline textarea { border: 1px solid var(--field); border-radius: 8px; padding: 8px; resize: vertical; }
[aria-invalid="true"] { border-color: #b42318; }
.field-error { color: #b42318; font-size: 12px; min-height: 0; }
.field-error:empty { display: none; }
.confirmation { margin: 0; padding: 12px; border-radius: 8px; background: #e7f6ec; color: #14532d; }
.email-request { padding: 10px 14px; border-top: 1px solid var(--line); }
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
/* Phones: the open panel takes the whole screen, as Intercom's does; its header's close button leads back. */
@media (max-width: 480px) {
  .root.open { inset: 0; }
  .root.open .panel { width: 100%; height: 100%; margin: 0; border-radius: 0; box-shadow: none; }
  .root.open .launcher { display: none; }
}
@media (prefers-reduced-motion: no-preference) { .panel { animation: rise .16s ease-out; } @keyframes rise { from { transform: translateY(8px); opacity: 0; } } }
`;
