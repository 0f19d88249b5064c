import { ATTACHMENT_TYPES, DEFAULT_ATTACHMENT_MAX_BYTES, formatBytes } from '../../functions/domain/attachment';
import type { AttachmentInfo } from '../parley-client/src/index';
import { h } from './dom';
import type { AttachmentLink, UploadGrant } from './http-api';
import type { Translate } from './i18n';

/**
 * Attachments in the pages (issue 11, docs/attachments.md): the attach button, the browser's
 * upload on the presigned POST (with progress), and how a message's file is shown: images as
 * previews, other files as cards that download on click. Used by the widget and the console.
 */

export { formatBytes };

/** What the pages need from the HTTP API, with the caller's token already applied. */
export interface AttachmentApi {
  requestUpload(request: { conversationId: string; name: string; contentType: string; size: number }): Promise<UploadGrant>;
  attachmentUrl(conversationId: string, attachmentId: string): Promise<AttachmentLink>;
}

/** The file's type as the allowlist knows it (browsers leave some empty), or undefined when it may not be sent. */
export function allowedType(file: Pick<File, 'name' | 'type'>): string | undefined {
  const extension = file.name.includes('.') ? file.name.slice(file.name.lastIndexOf('.') + 1).toLowerCase() : '';
  const byExtension = Object.entries(ATTACHMENT_TYPES).find(([, type]) => type.extensions.includes(extension))?.[0];
  if (!byExtension) return undefined;
  // A browser's own idea of the type must agree, when it has one.
  return file.type === '' || file.type === byExtension ? byExtension : undefined;
}

/** Why a chosen file cannot be sent, in the reader's words; undefined when it may be. */
export function fileProblem(
  file: Pick<File, 'name' | 'type' | 'size'>,
  t: Translate,
  maxBytes = DEFAULT_ATTACHMENT_MAX_BYTES,
): string | undefined {
  if (!allowedType(file)) return t('attachType', { name: file.name });
  if (file.size > maxBytes) return t('attachTooLarge', { name: file.name, max: formatBytes(maxBytes) });
  return undefined;
}

/**
 * Asks for a grant and uploads the file on it; resolves with the attachment to send (its id,
 * and the details the sender's own copy shows until the server's arrive).
 * XMLHttpRequest rather than fetch: only it reports upload progress.
 */
export async function uploadAttachment(
  api: AttachmentApi,
  conversationId: string,
  file: File,
  onProgress: (percent: number) => void,
): Promise<AttachmentInfo> {
  const contentType = allowedType(file);
  if (!contentType) throw new Error('type not allowed');
  const grant = await api.requestUpload({ conversationId, name: file.name, contentType, size: file.size });
  const form = new FormData();
  for (const [key, value] of Object.entries(grant.upload.fields)) form.append(key, value);
  form.append('file', file);
  await new Promise<void>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', grant.upload.url);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    });
    request.addEventListener('load', () =>
      request.status >= 200 && request.status < 300 ? resolve() : reject(new Error(`upload refused (HTTP ${request.status})`)),
    );
    request.addEventListener('error', () => reject(new Error('upload failed')));
    request.send(form);
  });
  onProgress(100);
  return {
    id: grant.attachmentId,
    name: file.name,
    contentType,
    size: file.size,
    kind: contentType.startsWith('image/') ? 'image' : 'file',
  };
}

/** Download URLs, fetched when first shown and reused until shortly before they expire. */
export class AttachmentLinks {
  private readonly cache = new Map<string, { link: Promise<AttachmentLink>; until: number }>();

  constructor(private readonly api: Pick<AttachmentApi, 'attachmentUrl'>) {}

  url(conversationId: string, attachmentId: string): Promise<string> {
    const key = `${conversationId}/${attachmentId}`;
    const cached = this.cache.get(key);
    if (cached && cached.until > Date.now()) return cached.link.then((link) => link.url);
    const link = this.api.attachmentUrl(conversationId, attachmentId);
    this.cache.set(key, { link, until: Date.now() + 60_000 });
    link.then(
      (answer) => this.cache.set(key, { link, until: Date.parse(answer.expiresAt) - 30_000 }),
      () => this.cache.delete(key),
    );
    return link.then((answer) => answer.url);
  }
}

/** A message's file: an image preview (opening the full image) or a card with name and size. */
export function renderAttachment(attachment: AttachmentInfo, conversationId: string, links: AttachmentLinks, t: Translate): HTMLElement {
  const name = attachment.name ?? attachment.id;
  const size = formatBytes(attachment.size);
  if (attachment.kind === 'image') {
    const image = h('img', { class: 'attachment-preview', alt: name, loading: 'lazy' });
    const figure = h('figure', { class: 'attachment image' }, image, h('figcaption', {}, `${name} · ${size}`));
    void links.url(conversationId, attachment.id).then(
      (url) => {
        image.src = url;
      },
      () => figure.classList.add('unavailable'),
    );
    image.addEventListener(
      'click',
      () => void links.url(conversationId, attachment.id).then((url) => window.open(url, '_blank', 'noopener')),
    );
    return figure;
  }
  const card = h(
    'button',
    { type: 'button', class: 'attachment file', title: t('attachmentOpen', { name }), 'aria-label': t('attachmentOpen', { name }) },
    h('span', { class: 'attachment-icon', 'aria-hidden': 'true' }, '📄'),
    h('span', { class: 'attachment-name' }, name),
    h('span', { class: 'attachment-size' }, size),
  );
  card.addEventListener('click', () => {
    void links.url(conversationId, attachment.id).then((url) => {
      // Served as `Content-Disposition: attachment`: the browser saves it and stays on the page.
      const anchor = h('a', { href: url, rel: 'noopener' });
      anchor.click();
    });
  });
  return card;
}

const PAPERCLIP_ICON =
  '<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><path d="M21 12.5l-8.5 8.5a5 5 0 0 1-7-7L14 5.5a3.5 3.5 0 0 1 5 5L10.5 19a2 2 0 0 1-3-3L15 8.5"/></svg>';

/** The attach (paperclip) button and its hidden file input; `onFile` gets each chosen file. */
export function attachButton(t: Translate, onFile: (file: File) => void): HTMLElement {
  const input = h('input', {
    type: 'file',
    class: 'attach-input',
    hidden: true,
    accept: Object.entries(ATTACHMENT_TYPES)
      .flatMap(([type, allowed]) => [type, ...allowed.extensions.map((extension) => `.${extension}`)])
      .join(','),
  });
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    input.value = '';
    if (file) onFile(file);
  });
  const button = h('button', { type: 'button', class: 'attach', title: t('attach'), 'aria-label': t('attach') });
  // An icon, not an emoji: pages without an emoji font would show a box.
  button.innerHTML = PAPERCLIP_ICON;
  button.addEventListener('click', () => input.click());
  return h('span', { class: 'attach-control' }, button, input);
}

/** Styles shared by both pages (the widget inlines them into its shadow root). */
export const ATTACHMENT_CSS = `
.attachment.image { margin: 4px 0 0; }
.attachment-preview { display: block; max-width: 220px; max-height: 180px; border-radius: 6px; cursor: zoom-in; background: #eee; }
.attachment.image figcaption { font-size: 11px; opacity: 0.75; margin-top: 2px; }
.attachment.file { display: inline-flex; gap: 6px; align-items: center; padding: 6px 10px; margin-top: 4px; border: 1px solid rgba(0,0,0,0.2); border-radius: 6px; background: rgba(255,255,255,0.7); color: inherit; cursor: pointer; font: inherit; }
.attachment-size { opacity: 0.7; font-size: 12px; }
.attachment.unavailable { opacity: 0.5; }
.attach { background: none; border: none; font-size: 18px; cursor: pointer; padding: 0 6px; }
.upload-status { font-size: 12px; margin: 4px 0; }
`;
