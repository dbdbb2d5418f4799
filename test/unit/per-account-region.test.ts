import { expect } from 'chai';
import { PerAccountRegion } from '../../localcloud/core/per-account-region.js';
import { waitFor } from '../support/wait.js';

/** A store that records when it is opened and closed. */
interface FakeStore {
  key: string;
  closed: boolean;
  data: boolean;
}

function stores(options: { maxOpen?: number; idleMs?: number; keepStoresWithData?: boolean; closeMs?: number } = {}) {
  const opened: FakeStore[] = [];
  const openNow = new Set<string>();
  const entries = new PerAccountRegion<FakeStore>({
    async open(accountId, region) {
      const key = `${accountId}/${region}`;
      // Like a LevelDB directory: opening it twice at once fails on its lock.
      if (openNow.has(key)) throw new Error(`${key} is locked`);
      openNow.add(key);
      const store = { key, closed: false, data: false };
      opened.push(store);
      return store;
    },
    async close(store) {
      await new Promise((resolve) => setTimeout(resolve, options.closeMs ?? 5));
      store.closed = true;
      openNow.delete(store.key);
    },
    closedError: () => new Error('shutting down'),
    canClose: options.keepStoresWithData ? async (store) => !store.data : undefined,
    maxOpen: options.maxOpen ?? 2,
    idleMs: options.idleMs ?? 0,
  });
  return { entries, opened, openNow };
}

const account = (i: number) => String(100000000000 + i);

describe('PerAccountRegion', () => {
  it('closes the least recently used idle entries past its bound', async () => {
    const { entries, opened } = stores({ maxOpen: 2 });
    for (let i = 0; i < 5; i++) await entries.use(account(i), 'us-east-1', async () => undefined);
    await waitFor(() => entries.size === 2, 'the bound to be restored', 2_000);
    expect(opened.filter((s) => !s.closed).map((s) => s.key)).to.deep.equal([`${account(3)}/us-east-1`, `${account(4)}/us-east-1`]);
    await entries.close();
    expect(opened.every((s) => s.closed)).to.equal(true);
  });

  it('never closes an entry while a use of it runs', async () => {
    const { entries, opened } = stores({ maxOpen: 1 });
    let finish!: () => void;
    const running = entries.use(account(0), 'us-east-1', (store) => new Promise<FakeStore>((resolve) => (finish = () => resolve(store))));
    for (let i = 1; i < 4; i++) await entries.use(account(i), 'us-east-1', async () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(opened[0].closed, 'the store in use').to.equal(false);
    finish();
    const store = await running;
    expect(store.closed).to.equal(false);
    await entries.close();
  });

  it('gives a get from outside any use a grace before closing its entry', async () => {
    const { entries } = stores({ maxOpen: 1, idleMs: 60_000 });
    const store = await entries.get(account(0), 'us-east-1');
    for (let i = 1; i < 4; i++) await entries.use(account(i), 'us-east-1', async () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(store.closed).to.equal(false);
    await entries.close();
  });

  it('reopens a closed entry on its next use, after its store is released', async () => {
    const { entries, opened } = stores({ maxOpen: 1, closeMs: 500 });
    await entries.use(account(0), 'us-east-1', async () => undefined);
    await entries.use(account(1), 'us-east-1', async () => undefined);
    await waitFor(() => entries.size === 1, 'account 0 to start closing', 2_000);
    expect(opened[0].closed, 'closing takes 500 ms').to.equal(false);
    // Using it again now must wait for the close to finish, not fail on the store's lock.
    const again = await entries.use(account(0), 'us-east-1', async (store) => store);
    expect(again).to.not.equal(opened[0]);
    expect(again.closed).to.equal(false);
    await entries.close();
  });

  it('keeps the entries canClose refuses (an in-memory store with data)', async () => {
    const { entries, opened } = stores({ maxOpen: 1, keepStoresWithData: true });
    await entries.use(account(0), 'us-east-1', async (store) => (store.data = true));
    for (let i = 1; i < 4; i++) await entries.use(account(i), 'us-east-1', async () => undefined);
    await waitFor(() => entries.size === 1, 'the empty stores to close', 2_000);
    expect(opened.map((s) => s.closed)).to.deep.equal([false, true, true, true]);
    await entries.close();
  });
});
