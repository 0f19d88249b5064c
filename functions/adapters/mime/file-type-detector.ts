import { fileTypeFromBuffer } from 'file-type';
import type { FileTypeDetector } from '../../ports/attachment-store';

/** `file-type`'s magic-number detection over a file's leading bytes. */
export const magicBytesDetector: FileTypeDetector = {
  async detect(head) {
    return (await fileTypeFromBuffer(head))?.mime;
  },
};
