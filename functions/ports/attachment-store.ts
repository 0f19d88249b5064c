/** An object in the attachments bucket, as its metadata describes it. */
export interface StoredObject {
  readonly size: number;
  readonly contentType: string | undefined;
  /** User metadata (x-amz-meta-*), lower-case keys without the prefix. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** A presigned browser upload: POST `fields` and then the file as multipart/form-data to `url`. */
export interface UploadGrant {
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
}

export interface UploadPolicy {
  readonly key: string;
  /** The exact Content-Type the upload must carry. */
  readonly contentType: string;
  /** The exact size in bytes (content-length-range size..size). */
  readonly size: number;
  /** Fixed user metadata the upload must carry (the policy pins each value). */
  readonly metadata: Readonly<Record<string, string>>;
  readonly expiresSeconds: number;
}

export interface DownloadOptions {
  readonly contentType: string;
  readonly contentDisposition: string;
  readonly expiresSeconds: number;
}

/**
 * The private attachments bucket (docs/attachments.md). Clients never hold credentials: they get
 * presigned POSTs (upload) and GETs (download) for single keys; the server reads, copies and deletes.
 */
export interface AttachmentStore {
  grantUpload(policy: UploadPolicy): Promise<UploadGrant>;
  /** The object's size, type and metadata; undefined when there is none. */
  head(key: string): Promise<StoredObject | undefined>;
  /** Up to `bytes` leading bytes of the object. */
  readStart(key: string, bytes: number): Promise<Uint8Array>;
  /** Copies `from` to `to` (metadata and type kept), then deletes `from`. */
  move(from: string, to: string): Promise<void>;
  /** Deletes an object (a refused upload); absent objects are fine. */
  remove(key: string): Promise<void>;
  downloadUrl(key: string, options: DownloadOptions): Promise<string>;
  /** Customers' data rights (docs/data-rights.md): every key under a prefix, in key order. */
  list(prefix: string): Promise<string[]>;
  /** A whole object's bytes and type; undefined when there is none. */
  read(key: string): Promise<{ bytes: Uint8Array; contentType: string | undefined } | undefined>;
  /** Writes an object (an export archive). */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
}

/** Names a file's real type from its leading bytes (magic numbers); undefined when it knows no signature. */
export interface FileTypeDetector {
  detect(head: Uint8Array): Promise<string | undefined>;
}
