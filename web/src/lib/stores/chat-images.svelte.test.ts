// The chat store's images: attached in order, refused with the reason in plain words, sent as
// image parts with the message, and put back with its text when the call fails before any answer.
import { FunctionsError } from 'firebase/functions';
import { describe, expect, it, vi } from 'vitest';
import type { ChatCallData } from '../chat-stream.ts';
import { ImageProblem, WRONG_TYPE, type PreparedImage } from '../images.ts';
import { chatWith, failingCall, wordsCall } from './chat-fakes.ts';

/** Prepares any file whose type is an image; refuses the rest as images.ts does. */
async function prepareImage(file: File, id: string): Promise<PreparedImage> {
  if (!file.type.startsWith('image/')) throw new ImageProblem(WRONG_TYPE);
  return { id, mediaType: 'image/png', data: 'AAAA', width: 1, height: 1, name: file.name };
}

const file = (name: string, type = 'image/png') => new File([new Uint8Array(4)], name, { type });

describe('ChatStore images', () => {
  it('when files are attached, then the images keep their order, and one of another type is refused in plain words', async () => {
    const chat = chatWith(wordsCall(['ok']), { prepareImage });
    await chat.attach([file('a.png'), file('notes.txt', 'text/plain'), file('b.png')]);
    expect(chat.images.map((i) => i.name)).toEqual(['a.png', 'b.png']);
    expect(chat.imageError).toBe('Only PNG, JPEG, WebP or GIF images can be sent.');

    // The next attachment starts afresh; removing one clears the reason too.
    await chat.attach([file('c.png')]);
    expect(chat.imageError).toBeUndefined();
    await chat.attach([file('d.txt', 'text/plain')]);
    expect(chat.imageError).toBe(WRONG_TYPE);
    chat.removeImage(chat.images[0]!.id);
    expect(chat.images.map((i) => i.name)).toEqual(['b.png', 'c.png']);
    expect(chat.imageError).toBeUndefined();
  });

  it('when a fifth image is attached, then it is left out and the limit is said', async () => {
    const chat = chatWith(wordsCall(['ok']), { prepareImage });
    await chat.attach(['1', '2', '3', '4', '5'].map((n) => file(`${n}.png`)));
    expect(chat.images).toHaveLength(4);
    expect(chat.imageError).toBe(
      'A message can carry at most 4 images. Remove one to add another.',
    );
  });

  it('when the message is sent, then its images go as image parts after the text and leave the composer', async () => {
    const call = vi.fn(wordsCall(['Seen']));
    const chat = chatWith(call, { prepareImage });
    await chat.attach([file('a.png')]);
    chat.draft.text = 'Look';

    expect(chat.submit()).toBe(true);
    expect(chat.images).toEqual([]);
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
    const data = call.mock.calls[0]?.[0] as ChatCallData;
    expect(data.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Look' },
          { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'AAAA' } },
        ],
      },
    ]);
    expect(chat.messages[0]).toMatchObject({ role: 'user', images: [{ name: 'a.png' }] });
  });

  it('when the call fails before any answer, then the images come back with the text, and Retry sends them again', async () => {
    const failing = failingCall(['Seen'], new FunctionsError('unavailable', 'down'));
    failing.failing = true;
    const chat = chatWith(failing.call, { prepareImage });
    await chat.attach([file('a.png')]);
    chat.draft.text = 'Look';
    chat.submit();
    await vi.waitFor(() => expect(chat.failure).toBeDefined());

    expect(chat.messages).toEqual([]);
    expect(chat.draft.text).toBe('Look');
    expect(chat.images.map((i) => i.name)).toEqual(['a.png']);

    failing.failing = false;
    expect(chat.retry()).toBe(true);
    expect(chat.images).toEqual([]);
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
    expect(chat.messages[0]).toMatchObject({ images: [{ name: 'a.png' }] });
  });
});
