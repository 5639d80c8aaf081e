/** The Web Storage calls the key store uses (https://html.spec.whatwg.org/multipage/webstorage.html#the-storage-interface). */
export type KeyStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const KEY = 'earshot.apiKey';

/**
 * Where the console keeps the API key: this tab's session storage, gone when the tab
 * closes, unless the user asks to be remembered on this device (local storage, read by
 * any script of this origin until they sign out).
 */
export function keyStore(storage: { session: () => KeyStorage; local: () => KeyStorage }) {
  return {
    get: (): string => storage.session().getItem(KEY) ?? storage.local().getItem(KEY) ?? '',
    remembered: (): boolean => storage.local().getItem(KEY) !== null,
    /** An empty key forgets it in both places. */
    set(key: string, remember = false): void {
      storage.session().removeItem(KEY);
      storage.local().removeItem(KEY);
      if (key) (remember ? storage.local() : storage.session()).setItem(KEY, key);
    },
  };
}
