// @vitest-environment jsdom
import { render, screen, within } from '@testing-library/svelte';
import { userEvent } from '@testing-library/user-event';
import { createRawSnippet } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import ErrorNotice from './error-notice.svelte';

describe('ErrorNotice', () => {
  it('announces the summary, then the detail in plain words; the code is folded under Details', async () => {
    const user = userEvent.setup();
    render(ErrorNotice, {
      error: {
        summary: 'The model’s provider is unavailable right now.',
        detail: 'The provider is overloaded',
        code: 'functions/unavailable',
      },
    });

    const alert = screen.getByRole('alert');
    const [summary, detail] = alert.querySelectorAll('p');
    expect(summary?.textContent?.trim()).toBe('The model’s provider is unavailable right now.');
    expect(detail?.textContent?.trim()).toBe('The provider is overloaded');
    const more = alert.querySelector('details')!;
    expect(more.open).toBe(false);
    expect(within(more).getByText('functions/unavailable').localName).toBe('code');
    await user.click(within(more).getByText('Details'));
    expect(more.open).toBe(true);
  });

  it('folds a message that is not plain words away with the code', () => {
    render(ErrorNotice, {
      error: {
        summary: 'This conversation does not exist.',
        technical: 'conversationId: no such conversation',
        code: 'functions/not-found',
      },
    });

    const alert = screen.getByRole('alert');
    expect(alert.querySelectorAll(':scope > p')).toHaveLength(1);
    const more = alert.querySelector('details')!;
    expect(more.textContent).toContain('conversationId: no such conversation');
    expect(more.textContent).toContain('functions/not-found');
  });

  it('shows only the summary when there is no detail or code', () => {
    render(ErrorNotice, { error: { summary: 'Connection lost.' } });

    const alert = screen.getByRole('alert');
    expect(alert.querySelectorAll('p')).toHaveLength(1);
    expect(alert.textContent?.trim()).toBe('Connection lost.');
    expect(within(alert).queryByRole('button')).toBeNull();
  });

  it('renders the actions it is given, and they work', async () => {
    const user = userEvent.setup();
    const retry = vi.fn();
    const actions = createRawSnippet(() => ({
      render: () => '<button type="button">Retry</button>',
      setup: (button) => {
        button.addEventListener('click', retry);
      },
    }));
    render(ErrorNotice, { error: { summary: 'Too many requests.' }, actions });

    await user.click(within(screen.getByRole('alert')).getByRole('button', { name: 'Retry' }));
    expect(retry).toHaveBeenCalledOnce();
  });

  it('puts a headline in place of the summary (a countdown)', () => {
    const headline = createRawSnippet(() => ({ render: () => '<span>Try again in 12 s</span>' }));
    render(ErrorNotice, { error: { summary: 'Too many requests.' }, headline });

    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Try again in 12 s');
    expect(alert.textContent).not.toContain('Too many requests.');
  });
});
