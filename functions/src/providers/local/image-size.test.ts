// The local vision model reads an image's size from its header, for each type the gateway
// takes; a header it cannot read gives no size rather than a wrong one.
import { describe, expect, it } from 'vitest';
import { greyPng } from '@colonycraft/testing';
import { imageSize } from './image-size.js';

function riff(chunk: string, body: number[]): Buffer {
  const head = Buffer.from(`RIFF\0\0\0\0WEBP${chunk}\0\0\0\0`, 'latin1');
  return Buffer.concat([head, Buffer.from(body), Buffer.alloc(16)]);
}

describe('imageSize', () => {
  it('reads PNG, GIF, JPEG and the three kinds of WebP', () => {
    expect(imageSize(greyPng(64, 48))).toEqual({ width: 64, height: 48 });

    const gif = Buffer.from('GIF89a\x40\x01\xf0\x00', 'latin1');
    expect(imageSize(gif)).toEqual({ width: 320, height: 240 });

    // SOI, an APP0 segment to skip, then SOF0 with height 1176 and width 1568.
    const jpeg = Buffer.from([
      0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x04, 0x98,
      0x06, 0x20, 0x03, 0x01, 0x22, 0x00,
    ]);
    expect(imageSize(jpeg)).toEqual({ width: 1568, height: 1176 });

    // VP8X: flags, then width-1 and height-1 in three bytes each.
    expect(imageSize(riff('VP8X', [0, 0, 0, 0, 99, 0, 0, 49, 0, 0]))).toEqual({
      width: 100,
      height: 50,
    });
    // VP8L: a signature byte, then 14 bits of width-1 and 14 of height-1.
    const bits = 99 | (49 << 14);
    expect(
      imageSize(riff('VP8L', [0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, 0])),
    ).toEqual({ width: 100, height: 50 });
    // VP8: a frame tag, the start code, then width and height.
    expect(imageSize(riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, 100, 0, 50, 0]))).toEqual({
      width: 100,
      height: 50,
    });
  });

  it('when the header is cut short or no image, then there is no size', () => {
    expect(imageSize(greyPng(8, 8).subarray(0, 12))).toBeUndefined();
    expect(imageSize(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBeUndefined();
    expect(imageSize(Buffer.from('not an image at all', 'latin1'))).toBeUndefined();
  });
});
