/** Raw inbound mail as SES receiving stored it (an S3 object per message). */
export interface InboundMailSource {
  /** The raw RFC 5322 message; undefined when the object is gone (already handled and expired). */
  read(bucket: string, key: string): Promise<Buffer | undefined>;
}
