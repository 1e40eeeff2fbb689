import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../../../benchmarks/contract.js';
import { FakeService } from '../service/fake-service.js';

/** A stand-in for the parts of Electron that electron/ipc.ts touches. */
const fake = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => unknown;
  return {
    handlers: new Map<string, Listener>(),
    listeners: new Map<string, Listener>(),
    showOpenDialog: vi.fn(),
    showSaveDialog: vi.fn(),
    showMessageBox: vi.fn(),
  };
});

vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, handler: (...args: unknown[]) => unknown) => fake.handlers.set(channel, handler),
    removeHandler: (channel: string) => fake.handlers.delete(channel),
    on: (channel: string, listener: (...args: unknown[]) => unknown) => fake.listeners.set(channel, listener),
    off: (channel: string) => fake.listeners.delete(channel),
  },
  dialog: {
    showOpenDialog: fake.showOpenDialog,
    showSaveDialog: fake.showSaveDialog,
    showMessageBox: fake.showMessageBox,
  },
  protocol: {},
}));

const { setupIpc } = await import('../../../electron/ipc.js');
const { IPC_RENDERER_READY_CHANNEL } = await import('../../../electron/bridge-protocol.js');
const {
  IPC_EVENT_CHANNEL,
  IPC_PICK_DATA_PATH_CHANNEL,
  IPC_PICK_SUITE_FILE_CHANNEL,
  IPC_REQUEST_CHANNEL,
  IPC_SAVE_FILES_CHANNEL,
  IPC_SAVE_SUITE_FILE_CHANNEL,
} = await import('../../../benchmarks/contract.js');

interface FakeFrame {
  url: string;
}

function fakeWindow() {
  const mainFrame: FakeFrame = { url: 'app://transfer-bench/index.html' };
  const contentsListeners = new Map<string, (...args: unknown[]) => void>();
  const windowListeners = new Map<string, () => void>();
  const webContents = {
    mainFrame,
    send: vi.fn(),
    on: (name: string, listener: (...args: unknown[]) => void) => contentsListeners.set(name, listener),
  };
  const window = {
    webContents,
    isDestroyed: () => false,
    on: (name: string, listener: () => void) => windowListeners.set(name, listener),
  };
  return {
    window,
    webContents,
    mainFrame,
    /** An IPC event as Electron would build it for a message from `frame` of `sender`. */
    eventFrom: (frame: FakeFrame = mainFrame, sender: object = webContents) => ({ sender, senderFrame: frame }),
    emitContents: (name: string, ...args: unknown[]) => contentsListeners.get(name)?.(...args),
    close: () => windowListeners.get('closed')?.(),
  };
}

async function invoke(channel: string, event: object, ...args: unknown[]): Promise<unknown> {
  const handler = fake.handlers.get(channel);
  if (!handler) throw new Error(`no handler on ${channel}`);
  return handler(event, ...args);
}

function setup() {
  const service = new FakeService();
  const binding = setupIpc(service);
  const win = fakeWindow();
  // The binding only uses the members faked above.
  binding.attach(win.window as unknown as Parameters<typeof binding.attach>[0]);
  return { service, binding, win };
}

beforeEach(() => {
  fake.handlers.clear();
  fake.listeners.clear();
  fake.showOpenDialog.mockReset();
  fake.showSaveDialog.mockReset();
  fake.showMessageBox.mockReset();
});

describe('setupIpc: requests', () => {
  it('validates and answers a request from our window', async () => {
    const { service, win } = setup();
    const reply = await invoke(IPC_REQUEST_CHANNEL, win.eventFrom(), 'startSuite', {
      source: { kind: 'builtin', name: 'quick' },
    });
    expect(reply).toEqual({ ok: true, value: { suiteId: 7 } });
    expect(service.calls).toEqual([
      { name: 'startSuite', request: { source: { kind: 'builtin', name: 'quick' }, backend: 'auto' } },
    ]);
  });

  it('starts only a suite file the user chose in the open dialog', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { service, win } = setup();
    const start = (path: unknown) =>
      invoke(IPC_REQUEST_CHANNEL, win.eventFrom(), 'startSuite', { source: { kind: 'file', path } });
    expect(await start('/home/me/.ssh/id_rsa')).toEqual({
      ok: false,
      error: 'refused: /home/me/.ssh/id_rsa was not chosen in the "Open a suite file" dialog',
    });
    expect(await start(42)).toMatchObject({ ok: false, error: expect.stringContaining('not chosen') });
    expect(service.calls).toEqual([]);

    fake.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/home/me/suites/mine.json'] });
    expect(await invoke(IPC_PICK_SUITE_FILE_CHANNEL, win.eventFrom())).toEqual({
      ok: true,
      value: '/home/me/suites/mine.json',
    });
    expect(await start('/home/me/suites/mine.json')).toEqual({ ok: true, value: { suiteId: 7 } });
    expect(await start('/home/me/suites/../suites/mine.json')).toEqual({ ok: true, value: { suiteId: 7 } });
    expect(await start('/home/me/suites/other.json')).toMatchObject({ ok: false });
    expect(service.calls.map((call) => call.request)).toEqual([
      { source: { kind: 'file', path: '/home/me/suites/mine.json' }, backend: 'auto' },
      { source: { kind: 'file', path: '/home/me/suites/../suites/mine.json' }, backend: 'auto' },
    ]);
  });

  it('starts a text suite only if the data it reads is under a folder the user opened a suite file from', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { service, win } = setup();
    const base = realpathSync(mkdtempSync(join(tmpdir(), 'tb-ipc-text-')));
    try {
      mkdirSync(join(base, 'suites', 'data'), { recursive: true });
      writeFileSync(join(base, 'suites', 'data', 'train.csv'), '{}');
      writeFileSync(join(base, 'secret.csv'), '{}');
      symlinkSync(join(base, 'secret.csv'), join(base, 'suites', 'data', 'link.csv'));
      const text = (path: string) =>
        JSON.stringify({
          name: 's',
          architecture: 'mlp',
          target: { dataset: { kind: 'mnist', classes: [5, 6] }, testPerClass: 10 },
          sizes: [10],
          seeds: [0],
          approaches: { scratch: { learningRate: 0.01, epochs: 1 } },
          pretrainedModel: { path, cutLayer: 'x' },
        });
      const start = (path: string) =>
        invoke(IPC_REQUEST_CHANNEL, win.eventFrom(), 'startSuite', {
          source: { kind: 'text', text: text(path), origin: 'typed.json' },
        });
      const inside = join(base, 'suites', 'data', 'train.csv');
      // Nothing opened yet: no folder is allowed.
      expect(await start(inside)).toEqual({
        ok: false,
        error: `refused: the suite reads ${inside}, which is not under a folder you opened a suite file from or chose in New suite in this session; open the suite with "Open suite file" instead`,
      });
      fake.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [join(base, 'suites', 'mine.json')] });
      await invoke(IPC_PICK_SUITE_FILE_CHANNEL, win.eventFrom());
      expect(await start(join(base, 'secret.csv'))).toEqual({
        ok: false,
        error: `refused: the suite reads ${join(base, 'secret.csv')}, which is not under a folder you opened a suite file from or chose in New suite in this session (${join(base, 'suites')}); open the suite with "Open suite file" instead`,
      });
      expect(await start(join(base, 'suites', 'data', 'link.csv'))).toMatchObject({
        ok: false,
        error: expect.stringContaining('which is not under a folder you opened'),
      });
      expect(service.calls).toEqual([]);
      expect(await start(inside)).toEqual({ ok: true, value: { suiteId: 7 } });
      // An invalid suite is the service's to report.
      expect(
        await invoke(IPC_REQUEST_CHANNEL, win.eventFrom(), 'startSuite', {
          source: { kind: 'text', text: 'not json', origin: 'typed.json' },
        }),
      ).toMatchObject({ ok: true });
      expect(service.calls.map((call) => (call.request as { source: { kind: string } }).source.kind)).toEqual([
        'text',
        'text',
      ]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('answers invalid and unknown requests with a message, without reaching the service', async () => {
    const { service, win } = setup();
    const invalid = (await invoke(IPC_REQUEST_CHANNEL, win.eventFrom(), 'getSuite', { suiteId: 'x' })) as {
      ok: boolean;
      error: string;
    };
    expect(invalid.ok).toBe(false);
    expect(invalid.error).toContain('invalid getSuite request');
    expect(await invoke(IPC_REQUEST_CHANNEL, win.eventFrom(), 'dropTables', {})).toMatchObject({ ok: false });
    expect(await invoke(IPC_REQUEST_CHANNEL, win.eventFrom(), 42, {})).toEqual({
      ok: false,
      error: 'request name must be a string',
    });
    expect(service.calls).toEqual([]);
  });

  it('passes UserError messages through', async () => {
    const { win } = setup();
    expect(await invoke(IPC_REQUEST_CHANNEL, win.eventFrom(), 'getSuite', { suiteId: 4 })).toEqual({
      ok: false,
      error: 'no suite with id 4',
    });
  });

  it.each([
    ['another window', (win: ReturnType<typeof fakeWindow>) => win.eventFrom(win.mainFrame, fakeWindow().webContents)],
    [
      'a sub-frame of ours',
      (win: ReturnType<typeof fakeWindow>) => win.eventFrom({ url: 'app://transfer-bench/x.html' }),
    ],
    [
      'our window showing a page that is not ours',
      (win: ReturnType<typeof fakeWindow>) => {
        win.mainFrame.url = 'https://example.com/';
        return win.eventFrom();
      },
    ],
  ])('refuses requests from %s', async (_what, eventOf) => {
    const { service, win } = setup();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await invoke(IPC_REQUEST_CHANNEL, eventOf(win), 'listSuites', {})).toMatchObject({ ok: false });
    expect(await invoke(IPC_PICK_SUITE_FILE_CHANNEL, eventOf(win))).toMatchObject({ ok: false });
    expect(service.calls).toEqual([]);
    expect(fake.showOpenDialog).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('refuses everything once the window is closed', async () => {
    const { service, win } = setup();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    win.close();
    expect(await invoke(IPC_REQUEST_CHANNEL, win.eventFrom(), 'listSuites', {})).toMatchObject({ ok: false });
    expect(service.calls).toEqual([]);
    warn.mockRestore();
  });
});

describe('setupIpc: the suite builder (New suite)', () => {
  it('looks only at data the user chose in its dialogs', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { service, win } = setup();
    const draft = (request: object) => invoke(IPC_REQUEST_CHANNEL, win.eventFrom(), 'draftSuite', request);
    expect(await draft({ target: '/home/me/.ssh' })).toEqual({
      ok: false,
      error: 'refused: /home/me/.ssh was not chosen in a New suite dialog; choose it with "Choose…"',
    });
    expect(await draft({ target: 42 })).toMatchObject({ ok: false, error: expect.stringContaining('(no path)') });
    expect(service.calls).toEqual([]);

    fake.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/home/me/photos'] });
    expect(await invoke(IPC_PICK_DATA_PATH_CHANNEL, win.eventFrom(), 'folder')).toEqual({
      ok: true,
      value: '/home/me/photos',
    });
    expect(fake.showOpenDialog.mock.calls[0]![1]).toMatchObject({ properties: ['openDirectory'] });
    // Chosen: the request reaches the service (whose answer here is a refusal of its own).
    expect(await draft({ target: '/home/me/photos/' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('does not exist'),
    });
    // A source must have been chosen too.
    expect(await draft({ target: '/home/me/photos', source: '/home/me/other' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('refused: /home/me/other was not chosen'),
    });
    fake.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/home/me/models/model.json'] });
    await invoke(IPC_PICK_DATA_PATH_CHANNEL, win.eventFrom(), 'model');
    expect(fake.showOpenDialog.mock.calls[1]![1]).toMatchObject({
      properties: ['openFile'],
      filters: [{ name: 'TensorFlow.js and Keras models', extensions: ['json', 'h5', 'keras'] }],
    });
    await draft({ target: '/home/me/photos', source: '/home/me/models/model.json' });
    expect(service.calls.map((call) => call.request)).toEqual([
      { target: '/home/me/photos/', estimate: true },
      { target: '/home/me/photos', source: '/home/me/models/model.json', estimate: true },
    ]);
  });

  it('refuses a dialog for anything but a folder, a table or a model; a cancelled dialog allows nothing', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { win } = setup();
    expect(await invoke(IPC_PICK_DATA_PATH_CHANNEL, win.eventFrom(), 'anything')).toEqual({
      ok: false,
      error: 'what to choose must be "folder", "csv" or "model"',
    });
    expect(fake.showOpenDialog).not.toHaveBeenCalled();
    fake.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] });
    expect(await invoke(IPC_PICK_DATA_PATH_CHANNEL, win.eventFrom(), 'csv')).toEqual({ ok: true, value: null });
    expect(
      await invoke(IPC_PICK_DATA_PATH_CHANNEL, win.eventFrom(fakeWindow().mainFrame, fakeWindow().webContents), 'csv'),
    ).toMatchObject({ ok: false, error: 'refused: not the Transfer Bench window' });
  });

  it('runs a drafted suite (sent as text) only when its data is what the user chose', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { service, win } = setup();
    const base = realpathSync(mkdtempSync(join(tmpdir(), 'tb-ipc-builder-')));
    try {
      mkdirSync(join(base, 'tables'));
      writeFileSync(join(base, 'tables', 'iris.csv'), 'a,label\n1,x\n');
      writeFileSync(join(base, 'tables', 'other.csv'), 'a,label\n1,x\n');
      const start = (path: string) =>
        invoke(IPC_REQUEST_CHANNEL, win.eventFrom(), 'startSuite', {
          source: {
            kind: 'text',
            origin: 'iris (New suite)',
            text: JSON.stringify({
              name: 'iris',
              architecture: 'mlp',
              target: { dataset: { kind: 'csv', path, label: 'label' }, testPerClass: 1 },
              sizes: [6],
              seeds: [0],
              approaches: { scratch: { learningRate: 0.01, epochs: 1 } },
            }),
          },
        });
      fake.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [join(base, 'tables', 'iris.csv')] });
      await invoke(IPC_PICK_DATA_PATH_CHANNEL, win.eventFrom(), 'csv');
      // The chosen table, not the one beside it.
      expect(await start(join(base, 'tables', 'other.csv'))).toMatchObject({
        ok: false,
        error: expect.stringContaining(`refused: the suite reads ${join(base, 'tables', 'other.csv')}`),
      });
      expect(service.calls).toEqual([]);
      expect(await start(join(base, 'tables', 'iris.csv'))).toEqual({ ok: true, value: { suiteId: 7 } });
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('saves the suite file where the save dialog says', async () => {
    const { win } = setup();
    const folder = realpathSync(mkdtempSync(join(tmpdir(), 'tb-ipc-save-')));
    try {
      const file = { name: 'digits.json', content: '{"name":"digits"}\n' };
      fake.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: join(folder, 'mine.json') });
      expect(await invoke(IPC_SAVE_SUITE_FILE_CHANNEL, win.eventFrom(), file)).toEqual({
        ok: true,
        value: join(folder, 'mine.json'),
      });
      expect(fake.showSaveDialog.mock.calls[0]![1]).toMatchObject({ defaultPath: 'digits.json' });
      expect(readFileSync(join(folder, 'mine.json'), 'utf8')).toBe(file.content);
      expect(readdirSync(folder)).toEqual(['mine.json']);
      fake.showSaveDialog.mockResolvedValueOnce({ canceled: true, filePath: '' });
      expect(await invoke(IPC_SAVE_SUITE_FILE_CHANNEL, win.eventFrom(), file)).toEqual({ ok: true, value: null });
      expect(
        await invoke(IPC_SAVE_SUITE_FILE_CHANNEL, win.eventFrom(), { name: '../x.json', content: '{}' }),
      ).toMatchObject({ ok: false, error: expect.stringContaining('invalid suite file to save') });
      expect(fake.showSaveDialog).toHaveBeenCalledTimes(2);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('setupIpc: run events', () => {
  const event = (n: number): RunEvent => ({ type: 'suite-started', suiteId: n, total: 1, finished: 0 });

  it('queues events until the renderer listens, then delivers them in order', () => {
    const { service, win } = setup();
    service.emit(event(1));
    service.emit(event(2));
    expect(win.webContents.send).not.toHaveBeenCalled();
    fake.listeners.get(IPC_RENDERER_READY_CHANNEL)!(win.eventFrom());
    service.emit(event(3));
    expect(win.webContents.send.mock.calls).toEqual([
      [IPC_EVENT_CHANNEL, event(1)],
      [IPC_EVENT_CHANNEL, event(2)],
      [IPC_EVENT_CHANNEL, event(3)],
    ]);
  });

  it('queues again while the page reloads', () => {
    const { service, win } = setup();
    fake.listeners.get(IPC_RENDERER_READY_CHANNEL)!(win.eventFrom());
    win.emitContents('did-start-navigation', { isMainFrame: true, isSameDocument: false });
    service.emit(event(5));
    expect(win.webContents.send).not.toHaveBeenCalled();
    fake.listeners.get(IPC_RENDERER_READY_CHANNEL)!(win.eventFrom());
    expect(win.webContents.send).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, event(5));
  });

  it('ignores a ready signal from anyone else', () => {
    const { service, win } = setup();
    fake.listeners.get(IPC_RENDERER_READY_CHANNEL)!(win.eventFrom(win.mainFrame, fakeWindow().webContents));
    service.emit(event(6));
    expect(win.webContents.send).not.toHaveBeenCalled();
  });

  it('stops listening to the service when disposed', () => {
    const { service, binding } = setup();
    expect(service.listenerCount).toBe(1);
    binding.dispose();
    expect(service.listenerCount).toBe(0);
    expect(fake.handlers.size).toBe(0);
  });
});

describe('setupIpc: dialogs', () => {
  it('returns the picked suite file, or null when cancelled', async () => {
    const { win } = setup();
    fake.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/home/me/suite.json'] });
    expect(await invoke(IPC_PICK_SUITE_FILE_CHANNEL, win.eventFrom())).toEqual({
      ok: true,
      value: '/home/me/suite.json',
    });
    fake.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] });
    expect(await invoke(IPC_PICK_SUITE_FILE_CHANNEL, win.eventFrom())).toEqual({ ok: true, value: null });
  });

  it('writes the files into the chosen folder, asking before it replaces any', async () => {
    const { win } = setup();
    const folder = mkdtempSync(join(tmpdir(), 'tb-ipc-'));
    const files = [
      { name: 'trials.csv', content: 'a\n1\n' },
      { name: 'summary.csv', content: 'b\n2\n' },
    ];
    fake.showOpenDialog.mockResolvedValue({ canceled: false, filePaths: [folder] });
    expect(await invoke(IPC_SAVE_FILES_CHANNEL, win.eventFrom(), files)).toEqual({ ok: true, value: folder });
    expect(readFileSync(join(folder, 'trials.csv'), 'utf8')).toBe('a\n1\n');
    expect(fake.showMessageBox).not.toHaveBeenCalled();
    // Second export: both exist; the user declines.
    fake.showMessageBox.mockResolvedValueOnce({ response: 1 });
    const changed = [{ name: 'trials.csv', content: 'changed' }];
    expect(await invoke(IPC_SAVE_FILES_CHANNEL, win.eventFrom(), changed)).toEqual({ ok: true, value: null });
    expect(readFileSync(join(folder, 'trials.csv'), 'utf8')).toBe('a\n1\n');
    fake.showMessageBox.mockResolvedValueOnce({ response: 0 });
    expect(await invoke(IPC_SAVE_FILES_CHANNEL, win.eventFrom(), changed)).toEqual({ ok: true, value: folder });
    expect(readFileSync(join(folder, 'trials.csv'), 'utf8')).toBe('changed');
    rmSync(folder, { recursive: true, force: true });
  });

  it('writes through the CLI helper: no temporary file is left, a failure is one line naming the path', async () => {
    const { win } = setup();
    const folder = mkdtempSync(join(tmpdir(), 'tb-ipc-'));
    fake.showOpenDialog.mockResolvedValue({ canceled: false, filePaths: [folder] });
    mkdirSync(join(folder, 'summary.csv'));
    fake.showMessageBox.mockResolvedValueOnce({ response: 0 });
    const files = [
      { name: 'trials.csv', content: 'a\n1\n' },
      { name: 'summary.csv', content: 'b\n2\n' },
    ];
    expect(await invoke(IPC_SAVE_FILES_CHANNEL, win.eventFrom(), files)).toEqual({
      ok: false,
      error: `cannot write ${join(folder, 'summary.csv')}: a folder has that name: remove it or choose another folder (EISDIR)`,
    });
    expect(readdirSync(folder).sort()).toEqual(['summary.csv', 'trials.csv']);

    // A folder that cannot be created: a file stands where it should be.
    const blocked = join(folder, 'trials.csv', 'out');
    fake.showOpenDialog.mockResolvedValue({ canceled: false, filePaths: [blocked] });
    const reply = (await invoke(IPC_SAVE_FILES_CHANNEL, win.eventFrom(), files)) as { ok: boolean; error: string };
    expect(reply.ok).toBe(false);
    expect(reply.error).toMatch(
      /^cannot write .*trials\.csv\/out: a file is in the way of the folder: choose another folder \((ENOTDIR|EEXIST)\)$/,
    );
    rmSync(folder, { recursive: true, force: true });
  });

  it('refuses file names that are paths before any dialog opens', async () => {
    const { win } = setup();
    for (const name of ['../evil.csv', '/etc/passwd', 'sub/dir.csv', '..', '']) {
      const reply = (await invoke(IPC_SAVE_FILES_CHANNEL, win.eventFrom(), [{ name, content: 'x' }])) as {
        ok: boolean;
      };
      expect(reply.ok, name).toBe(false);
    }
    expect(await invoke(IPC_SAVE_FILES_CHANNEL, win.eventFrom(), 'nope')).toMatchObject({ ok: false });
    expect(fake.showOpenDialog).not.toHaveBeenCalled();
  });
});
