import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => ({
  appListeners: new Map<string, (...args: unknown[]) => void>(),
  openExternal: vi.fn(async () => {}),
  permissionRequest: null as null | ((...args: unknown[]) => void),
  permissionCheck: null as null | ((...args: unknown[]) => boolean),
}));

vi.mock('electron', () => ({
  app: { on: (name: string, listener: (...args: unknown[]) => void) => fake.appListeners.set(name, listener) },
  shell: { openExternal: fake.openExternal },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (handler: (...args: unknown[]) => void) => (fake.permissionRequest = handler),
      setPermissionCheckHandler: (handler: (...args: unknown[]) => boolean) => (fake.permissionCheck = handler),
    },
  },
  protocol: {},
}));

const { setupSecurity } = await import('../../../electron/security.js');

/** A web contents: an emitter with a window-open handler slot. */
class FakeContents extends EventEmitter {
  openHandler: ((details: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.openHandler = handler;
  }
}

function created(): FakeContents {
  const contents = new FakeContents();
  fake.appListeners.get('web-contents-created')!({}, contents);
  return contents;
}

function navigationEvent() {
  return { preventDefault: vi.fn() };
}

setupSecurity();

describe('setupSecurity', () => {
  it('opens no window; only allow-listed https links go to the system browser', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const contents = created();
    expect(contents.openHandler!({ url: 'https://www.tensorflow.org/js/guide' })).toEqual({ action: 'deny' });
    expect(fake.openExternal).toHaveBeenCalledWith('https://www.tensorflow.org/js/guide');
    fake.openExternal.mockClear();
    for (const url of [
      'https://example.com/docs',
      'https://www.tensorflow.org.evil.example/js/',
      'https://user@www.tensorflow.org/js/',
      'https://www.tensorflow.org:8443/js/',
      'http://www.tensorflow.org/js/',
      'https://github.com/attacker/tfjs/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
    ]) {
      expect(contents.openHandler!({ url }), url).toEqual({ action: 'deny' });
      const navigation = navigationEvent();
      contents.emit('will-navigate', navigation, url);
      expect(navigation.preventDefault, url).toHaveBeenCalled();
    }
    expect(fake.openExternal).not.toHaveBeenCalled();
  });

  it('allows navigation only within the app', () => {
    const contents = created();
    const inside = navigationEvent();
    contents.emit('will-navigate', inside, 'app://transfer-bench/index.html#/suites/3');
    expect(inside.preventDefault).not.toHaveBeenCalled();
    for (const url of ['https://example.com/', 'file:///home/me/', 'app://other/index.html']) {
      const outside = navigationEvent();
      contents.emit('will-navigate', outside, url);
      expect(outside.preventDefault, url).toHaveBeenCalled();
    }
    const redirect = navigationEvent();
    contents.emit('will-redirect', redirect, 'https://example.com/');
    expect(redirect.preventDefault).toHaveBeenCalled();
  });

  it('refuses webviews and every permission', () => {
    const contents = created();
    const attach = navigationEvent();
    contents.emit('will-attach-webview', attach);
    expect(attach.preventDefault).toHaveBeenCalled();
    const callback = vi.fn();
    fake.permissionRequest!({}, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
    expect(fake.permissionCheck!({}, 'clipboard-read')).toBe(false);
  });
});
