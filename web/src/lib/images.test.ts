// The rules for attached images, with a fake codec: which types go, the size they are scaled
// to, how they are encoded, and the plain words when one cannot go.
import { describe, expect, it } from 'vitest';
import { MAX_STORED_IMAGE_BYTES } from '@colonycraft/protocol';
import { toHistory } from './chat-events.ts';
import {
  ImageProblem,
  MAX_EDGE,
  PNG_KEPT_BYTES,
  QUALITY,
  WRONG_TYPE,
  fitWithin,
  prepareImage,
  type ImageCodec,
} from './images.ts';

function fakeCodec(
  size: { width: number; height: number; opaque?: boolean },
  encodedBytes: (quality: number) => number = () => 1000,
) {
  const encoded: { width: number; height: number; type: string; quality: number }[] = [];
  const codec: ImageCodec = {
    decode: async () => ({ opaque: true, ...size }),
    encode: async (to, type, quality) => {
      encoded.push({ ...to, type, quality });
      return new Blob([new Uint8Array(encodedBytes(quality))], { type });
    },
  };
  return { codec, encoded };
}

const file = (type: string, bytes = 100, name = 'photo') =>
  new File([new Uint8Array(bytes)], name, { type });

describe('fitWithin', () => {
  it('when the long edge is past 1568 px, then it becomes 1568 and the other keeps the ratio', () => {
    expect(fitWithin(4032, 3024)).toEqual({ width: MAX_EDGE, height: 1176 });
    expect(fitWithin(1000, 6000)).toEqual({ width: 261, height: MAX_EDGE });
  });

  it('when the image is already small, then it is never made larger', () => {
    expect(fitWithin(64, 48)).toEqual({ width: 64, height: 48 });
  });
});

describe('prepareImage', () => {
  it('when the file is not PNG, JPEG, WebP or GIF, then it is refused in plain words', async () => {
    const { codec } = fakeCodec({ width: 10, height: 10 });
    const refused = prepareImage(file('image/svg+xml'), codec, 'a');
    await expect(refused).rejects.toThrow(ImageProblem);
    await expect(refused).rejects.toThrow(WRONG_TYPE);
    await expect(prepareImage(file('application/pdf'), codec, 'a')).rejects.toThrow(
      'Only PNG, JPEG, WebP or GIF images can be sent.',
    );
  });

  it('when a small PNG needs no scaling, then its own bytes are sent', async () => {
    const { codec, encoded } = fakeCodec({ width: 64, height: 48 });
    const image = await prepareImage(file('image/png', 300, 'chart.png'), codec, 'a');
    expect(image).toMatchObject({
      mediaType: 'image/png',
      width: 64,
      height: 48,
      name: 'chart.png',
    });
    expect(atob(image.data)).toHaveLength(300);
    expect(encoded).toEqual([]);
  });

  it('when a photo is large, then it is scaled to 1568 px and sent as JPEG at 0.85', async () => {
    const { codec, encoded } = fakeCodec({ width: 4032, height: 3024 });
    const image = await prepareImage(file('image/jpeg', 3_000_000), codec, 'a');
    expect(encoded).toEqual([{ width: 1568, height: 1176, type: 'image/jpeg', quality: QUALITY }]);
    expect(image).toMatchObject({ mediaType: 'image/jpeg', width: 1568, height: 1176 });
  });

  it('when a large PNG has transparency, then it goes as WebP, which keeps it', async () => {
    const { codec, encoded } = fakeCodec({ width: 2000, height: 1000, opaque: false });
    await prepareImage(file('image/png', PNG_KEPT_BYTES + 1), codec, 'a');
    expect(encoded[0]).toMatchObject({ type: 'image/webp', width: 1568, height: 784 });
  });

  it('when the first encoding is too large, then a lower quality is tried, and past it the image is refused', async () => {
    const second = fakeCodec({ width: 3000, height: 3000 }, (q) =>
      q === QUALITY ? MAX_STORED_IMAGE_BYTES + 1 : 1000,
    );
    await expect(prepareImage(file('image/webp'), second.codec, 'a')).resolves.toMatchObject({
      mediaType: 'image/jpeg',
    });
    expect(second.encoded.map((e) => e.quality)).toEqual([QUALITY, 0.7]);

    const never = fakeCodec({ width: 3000, height: 3000 }, () => MAX_STORED_IMAGE_BYTES + 1);
    await expect(prepareImage(file('image/gif', 10, 'huge.gif'), never.codec, 'a')).rejects.toThrow(
      'This image is too large to send, even made smaller: huge.gif.',
    );
  });

  it('when the file is no image at all, then it says it could not be read', async () => {
    const codec: ImageCodec = {
      decode: () => Promise.reject(new Error('InvalidStateError')),
      encode: () => Promise.reject(new Error('unused')),
    };
    await expect(prepareImage(file('image/png', 10, 'broken.png'), codec, 'a')).rejects.toThrow(
      'This image could not be read: broken.png.',
    );
  });
});

describe('toHistory with images', () => {
  const image = (id: string) => ({ id, mediaType: 'image/png' as const, data: 'AAAA' });

  it('when questions carry images, then they go as image parts after the text, the newest 20 only', () => {
    const messages = Array.from({ length: 6 }, (_, n) => ({
      id: `u${n}`,
      role: 'user' as const,
      content: `q${n}`,
      images: [image(`${n}a`), image(`${n}b`), image(`${n}c`), image(`${n}d`)],
    }));
    const history = toHistory(messages);
    const counts = history.map((m) =>
      typeof m.content === 'string' ? 0 : m.content.filter((p) => p.type === 'image').length,
    );
    expect(counts).toEqual([0, 4, 4, 4, 4, 4]);
    expect(history[0]).toEqual({ role: 'user', content: 'q0' });
    expect(history[5]!.content).toEqual([
      { type: 'text', text: 'q5' },
      ...['5a', '5b', '5c', '5d'].map(() => ({
        type: 'image',
        source: { type: 'base64', mediaType: 'image/png', data: 'AAAA' },
      })),
    ]);
  });
});
