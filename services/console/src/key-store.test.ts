import { describe, expect, it } from 'vitest';
import { keyStore, type KeyStorage } from './key-store.js';

/** Storage as the Web Storage standard has it: getItem answers null for a missing key (https://html.spec.whatwg.org/multipage/webstorage.html#dom-storage-getitem). */
function storage(): KeyStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, String(v)), removeItem: (k) => void items.delete(k) };
}

describe("the console's API key (issue #35)", () => {
  it('stays in the tab (session storage) unless the user asks to be remembered on this device', () => {
    const session = storage();
    const local = storage();
    const key = keyStore({ session: () => session, local: () => local });
    expect(key.get()).toBe('');
    key.set('esk_a');
    expect([...session.items.values()]).toEqual(['esk_a']);
    expect(local.items.size).toBe(0);
    expect(key.remembered()).toBe(false);
    expect(key.get()).toBe('esk_a');

    key.set('esk_b', true);
    expect(session.items.size).toBe(0);
    expect([...local.items.values()]).toEqual(['esk_b']);
    expect(key.remembered()).toBe(true);
    // A new tab starts with an empty session storage and still finds a remembered key.
    expect(keyStore({ session: storage, local: () => local }).get()).toBe('esk_b');

    key.set('esk_c');
    expect(local.items.size).toBe(0);
    key.set('');
    expect(session.items.size + local.items.size).toBe(0);
    expect(key.get()).toBe('');
  });
});
