// Images a person attaches to a message, made ready in the browser: only PNG, JPEG, WebP and
// GIF (its first frame); scaled so the long edge is at most 1568 px (Anthropic's recommended
// size, which OpenAI's high detail also fits); re-encoded as JPEG at 0.85 (WebP where the image
// has transparency), a small PNG that needs no scaling kept as it is; and refused, in plain
// words, when still larger than a conversation keeps (MAX_STORED_IMAGE_BYTES). The drawing is
// injected, so the rules are tested without a canvas.
import {
  MAX_MESSAGE_IMAGES,
  MAX_STORED_IMAGE_BYTES,
  type ImageMediaType,
} from '@colonycraft/protocol';

export { MAX_MESSAGE_IMAGES };

/** The long edge providers recommend: larger images are scaled down by them anyway. */
export const MAX_EDGE = 1568;
export const QUALITY = 0.85;
/** Tried once more when the first encoding is still too large. */
const LOWER_QUALITY = 0.7;
/** A PNG this small and within MAX_EDGE is sent as it is: re-encoding gains nothing. */
export const PNG_KEPT_BYTES = 256 * 1024;

const ACCEPTED = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
/** For the file input's `accept`. */
export const ACCEPT = ACCEPTED.join(',');

export const WRONG_TYPE = 'Only PNG, JPEG, WebP or GIF images can be sent.';
export const tooLarge = (name: string) =>
  `This image is too large to send, even made smaller: ${name}. Try a smaller picture or a screenshot of part of it.`;
export const tooMany = () =>
  `A message can carry at most ${MAX_MESSAGE_IMAGES} images. Remove one to add another.`;
export const unreadable = (name: string) => `This image could not be read: ${name}.`;

/** An image ready to send: its bytes in base64 and what the chat shows of it. */
export interface PreparedImage {
  id: string;
  mediaType: ImageMediaType;
  /** base64, no `data:` prefix */
  data: string;
  width: number;
  height: number;
  /** The file's name, for its alt text. */
  name: string;
}

/** The size that fits within MAX_EDGE, keeping the proportions; never larger than the image. */
export function fitWithin(width: number, height: number, edge = MAX_EDGE) {
  const scale = Math.min(1, edge / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

export class ImageProblem extends Error {}

/** What the browser can do with pictures; tests pass a fake. */
export interface ImageCodec {
  /** Decodes the file (a GIF's first frame); throws when it is no image. */
  decode(file: Blob): Promise<{ width: number; height: number; opaque: boolean }>;
  /** Draws the decoded image at this size and encodes it. */
  encode(
    size: { width: number; height: number },
    type: 'image/jpeg' | 'image/webp',
    quality: number,
  ): Promise<Blob>;
}

export async function base64Of(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Makes one file ready to send, or throws an ImageProblem saying why not in plain words. */
export async function prepareImage(
  file: File,
  codec: ImageCodec,
  id: string,
): Promise<PreparedImage> {
  if (!ACCEPTED.includes(file.type)) throw new ImageProblem(WRONG_TYPE);
  let decoded;
  try {
    decoded = await codec.decode(file);
  } catch {
    throw new ImageProblem(unreadable(file.name));
  }
  const size = fitWithin(decoded.width, decoded.height);
  const scaled = size.width !== decoded.width || size.height !== decoded.height;
  const base = { id, name: file.name, ...size };
  if (file.type === 'image/png' && !scaled && file.size <= PNG_KEPT_BYTES) {
    return { ...base, mediaType: 'image/png', data: await base64Of(file) };
  }
  // JPEG has no transparency: an image with some becomes WebP, which keeps it.
  const type = decoded.opaque ? 'image/jpeg' : 'image/webp';
  for (const quality of [QUALITY, LOWER_QUALITY]) {
    const blob = await codec.encode(size, type, quality);
    if (blob.size <= MAX_STORED_IMAGE_BYTES) {
      // A browser that cannot write WebP writes PNG instead: trust what it made.
      const mediaType = (ACCEPTED.includes(blob.type) ? blob.type : type) as ImageMediaType;
      return { ...base, mediaType, data: await base64Of(blob) };
    }
  }
  throw new ImageProblem(tooLarge(file.name));
}

/** The browser's codec: createImageBitmap and a canvas. */
export function canvasCodec(): ImageCodec {
  let bitmap: ImageBitmap | undefined;
  return {
    async decode(file) {
      bitmap = await createImageBitmap(file);
      return { width: bitmap.width, height: bitmap.height, opaque: isOpaque(bitmap) };
    },
    async encode(size, type, quality) {
      const canvas = document.createElement('canvas');
      canvas.width = size.width;
      canvas.height = size.height;
      const context = canvas.getContext('2d');
      if (!context || !bitmap) throw new ImageProblem('This browser cannot prepare images.');
      context.imageSmoothingQuality = 'high';
      context.drawImage(bitmap, 0, 0, size.width, size.height);
      const blob = await new Promise<Blob | null>((resolve) =>
        canvas.toBlob(resolve, type, quality),
      );
      if (!blob) throw new ImageProblem('This browser cannot prepare images.');
      return blob;
    },
  };
}

/** Whether every pixel is opaque, sampled on a small copy. */
function isOpaque(bitmap: ImageBitmap): boolean {
  const { width, height } = fitWithin(bitmap.width, bitmap.height, 64);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) return true;
  context.drawImage(bitmap, 0, 0, width, height);
  const pixels = context.getImageData(0, 0, width, height).data;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! < 255) return false;
  return true;
}

/** A `blob:` address to show base64 bytes (the page's CSP allows `blob:` images, not `data:`). */
export function objectUrlOf(image: { mediaType: string; data: string }): string {
  const binary = atob(image.data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return URL.createObjectURL(new Blob([bytes], { type: image.mediaType }));
}
