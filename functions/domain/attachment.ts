import { BadRequestError, TooLargeError } from './errors';

/**
 * Attachments (issue 11, docs/attachments.md): the pure rules. Which types are accepted, how
 * a file's first bytes must agree with its declared type, where objects live in the bucket,
 * and how a download names the file. No I/O: the service reads the object, the adapter sniffs.
 */

/** 10 MiB unless ATTACHMENT_MAX_BYTES says otherwise. */
export const DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
/** How many leading bytes are read to judge a file's real type (file-type needs at most 4,100). */
export const SNIFF_BYTES = 4100;
export const MAX_FILE_NAME_CHARS = 255;

/** How a type is shown: images inline (a preview), everything else as a file card and a download. */
export type AttachmentKind = 'image' | 'file';

interface AllowedType {
  readonly kind: AttachmentKind;
  /** File name extensions the type may carry (lower case, without the dot). */
  readonly extensions: readonly string[];
  /** `binary`: its magic bytes must name this type. `text`: no magic bytes, so it must read as plain UTF-8 text. */
  readonly check: 'binary' | 'text';
}

/**
 * The allowlist. Left out on purpose: SVG and HTML (script in a file served from our bucket),
 * Office documents (zip containers whose real type needs the whole central directory, not the
 * first bytes, and whose macro variants look alike), archives and executables.
 */
export const ATTACHMENT_TYPES: Readonly<Record<string, AllowedType>> = {
  'image/png': { kind: 'image', extensions: ['png'], check: 'binary' },
  'image/jpeg': { kind: 'image', extensions: ['jpg', 'jpeg'], check: 'binary' },
  'image/gif': { kind: 'image', extensions: ['gif'], check: 'binary' },
  'image/webp': { kind: 'image', extensions: ['webp'], check: 'binary' },
  'application/pdf': { kind: 'file', extensions: ['pdf'], check: 'binary' },
  'text/plain': { kind: 'file', extensions: ['txt', 'log'], check: 'text' },
  'text/csv': { kind: 'file', extensions: ['csv'], check: 'text' },
};

export const ATTACHMENT_CONTENT_TYPES = Object.keys(ATTACHMENT_TYPES);

/** What a stored message carries about its file. */
export interface Attachment {
  readonly id: string;
  readonly name: string;
  readonly contentType: string;
  readonly size: number;
  readonly kind: AttachmentKind;
}

/** What a client asks to upload. */
export interface UploadRequest {
  readonly conversationId: string;
  readonly name: string;
  readonly contentType: string;
  readonly size: number;
}

/** Attachment ids are ULIDs the server issues. */
export const ATTACHMENT_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function isAttachmentId(value: string): boolean {
  return ATTACHMENT_ID_PATTERN.test(value);
}

// C0 and C1 controls, and the characters that would make a name a path.
// biome-ignore lint/suspicious/noControlCharactersInRegex: controls are exactly what is refused
const UNSAFE_NAME = /[\u0000-\u001f\u007f-\u009f/\\]/;

export function kindOf(contentType: string): AttachmentKind {
  return ATTACHMENT_TYPES[contentType]?.kind ?? 'file';
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/**
 * Checks an upload request: an allowed type, a name that is a plain file name whose extension
 * fits the type, and a size within 1..maxBytes. Returns the name as it will be stored.
 */
export function validateUploadRequest(request: UploadRequest, maxBytes: number): { name: string; kind: AttachmentKind } {
  const type = ATTACHMENT_TYPES[request.contentType];
  if (!type) {
    throw new BadRequestError(`Files of type ${request.contentType} cannot be attached; allowed: ${ATTACHMENT_CONTENT_TYPES.join(', ')}`);
  }
  const name = request.name.trim();
  const chars = [...name].length;
  if (chars === 0 || chars > MAX_FILE_NAME_CHARS) throw new BadRequestError(`name must be 1-${MAX_FILE_NAME_CHARS} characters`);
  if (UNSAFE_NAME.test(name) || name === '.' || name === '..') {
    throw new BadRequestError('name must be a plain file name (no slashes or control characters)');
  }
  const extension = extensionOf(name);
  if (!type.extensions.includes(extension)) {
    throw new BadRequestError(`A ${request.contentType} file must be named .${type.extensions.join(' or .')}`);
  }
  if (!Number.isSafeInteger(request.size) || request.size < 1)
    throw new BadRequestError('size must be a whole number of bytes, at least 1');
  if (request.size > maxBytes)
    throw new TooLargeError(`Files may be at most ${formatBytes(maxBytes)}; this one is ${formatBytes(request.size)}`);
  return { name, kind: type.kind };
}

/** Where a grant lets the client upload: expired after a day unless a message takes it (docs/attachments.md). */
export const UPLOAD_PREFIX = 'uploads/';
/** Where an attachment lives once a message references it; kept as long as the conversation's messages. */
export const STORED_PREFIX = 'conversations/';

export function uploadKey(conversationId: string, attachmentId: string): string {
  return `${UPLOAD_PREFIX}${conversationId}/${attachmentId}`;
}

export function storedKey(conversationId: string, attachmentId: string): string {
  return `${STORED_PREFIX}${conversationId}/${attachmentId}`;
}

/**
 * Whether a file's first bytes agree with its declared type. `detected` is what a magic-byte
 * detector found (undefined: no signature it knows). Binary types must be detected as exactly
 * the declared type. Text types have no signature: nothing may be detected, and the bytes must
 * be UTF-8 without NULs or control characters other than tab, line feed, form feed and carriage
 * return (a truncated last character, cut by the read, is allowed when `truncated`).
 * Returns the problem, or undefined when the file is what it claims.
 */
export function contentMismatch(declared: string, detected: string | undefined, head: Uint8Array, truncated: boolean): string | undefined {
  const type = ATTACHMENT_TYPES[declared];
  if (!type) return `${declared} is not an allowed type`;
  if (type.check === 'binary') {
    if (detected === declared) return undefined;
    return detected ? `the file is ${detected}, not ${declared}` : `the file's content is not ${declared}`;
  }
  if (detected) return `the file is ${detected}, not ${declared}`;
  return textProblem(head, truncated);
}

function textProblem(head: Uint8Array, truncated: boolean): string | undefined {
  let bytes = head;
  // A read cut at SNIFF_BYTES may split a multi-byte character: drop an incomplete tail.
  if (truncated) bytes = bytes.subarray(0, completeUtf8Length(bytes));
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'the file is not UTF-8 text';
  }
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    if (control && char !== '\t' && char !== '\n' && char !== '\r' && char !== '\f') return 'the file is binary, not text';
  }
  return undefined;
}

/** The length of `bytes` without a trailing, incomplete UTF-8 sequence (at most 3 bytes dropped). */
function completeUtf8Length(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: keep looking for the lead
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/**
 * The Content-Disposition a download is served with: `inline` for images (previews), `attachment`
 * for everything else, so a browser saves a PDF or text file instead of rendering it on our origin.
 * The name is given as an ASCII fallback and as RFC 5987 UTF-8.
 */
export function contentDisposition(name: string, kind: AttachmentKind): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind === 'image' ? 'inline' : 'attachment'}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** S3 user metadata is ASCII: the name travels percent-encoded. */
export function encodeMetadataName(name: string): string {
  return encodeURIComponent(name);
}

export function decodeMetadataName(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 102.4) / 10} KB`;
  return `${Math.round(bytes / (1024 * 102.4)) / 10} MB`;
}
