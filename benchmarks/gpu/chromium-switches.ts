/** Extra Chromium switches for the GPU workers' browser engine, e.g. `--enable-features=Vulkan --use-angle=vulkan`. */
export const CHROMIUM_ARGS_ENV = 'TRANSFER_BENCH_CHROMIUM_ARGS';

/** The switches of $TRANSFER_BENCH_CHROMIUM_ARGS (space-separated), as given. */
export function extraChromiumArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[CHROMIUM_ARGS_ENV] ?? '').split(/\s+/).filter((a) => a !== '');
}

/**
 * The same switches as name and value, for Electron's `app.commandLine.appendSwitch(name, value)`:
 * `--enable-features=Vulkan` → `['enable-features', 'Vulkan']`, `--enable-unsafe-swiftshader` →
 * `['enable-unsafe-swiftshader', undefined]`. Anything that is not a `--switch` is an error naming it.
 */
export function parseSwitches(args: readonly string[]): [name: string, value: string | undefined][] {
  return args.map((arg) => {
    const match = /^--([^=\s]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`${CHROMIUM_ARGS_ENV}: "${arg}" is not a Chromium switch (--name or --name=value)`);
    return [match[1]!, match[2]];
  });
}
