// The server's own file watching, for clients that do not offer to watch files for it (no dynamic
// registration of workspace/didChangeWatchedFiles): Neovim 0.7, eglot, Helix. It watches the folders
// the projects read (each version location, and the folder of each configuration file), each one on
// its own (not recursively: Node 18 on Linux has no recursive fs.watch), and reports changed paths.
import fs from 'node:fs';
import path from 'node:path';

export type WatchedChange = { path: string; kind: 'changed' | 'deleted' };

/** Events for a path within this long are one change: an editor's save is often several events. */
const SETTLE_MS = 50;

export class FolderWatcher {
  private readonly watchers = new Map<string, fs.FSWatcher>();
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly onChanges: (changes: WatchedChange[]) => void,
    private readonly log: (message: string) => void,
  ) {}

  /** Watches exactly these folders from now on (starting and stopping watchers as needed). */
  watch(folders: Iterable<string>): void {
    const wanted = new Set(folders);
    for (const [folder, watcher] of this.watchers) {
      if (wanted.has(folder)) continue;
      watcher.close();
      this.watchers.delete(folder);
    }
    for (const folder of wanted) {
      if (this.watchers.has(folder)) continue;
      try {
        const watcher = fs.watch(folder, { persistent: false }, (_event, name) => {
          if (name) this.note(path.join(folder, name.toString()));
        });
        watcher.on('error', (err) => {
          this.log(`Watching ${folder} stopped: ${err.message}`);
          watcher.close();
          this.watchers.delete(folder);
        });
        this.watchers.set(folder, watcher);
      } catch (err) {
        // A version location that does not exist yet is common (a fresh project): nothing to watch.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          this.log(`Cannot watch ${folder}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
  }

  close(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    if (this.timer) clearTimeout(this.timer);
  }

  private note(p: string): void {
    this.pending.add(p);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), SETTLE_MS);
  }

  private flush(): void {
    this.timer = undefined;
    const changes = [...this.pending].map((p): WatchedChange => ({ path: p, kind: fs.existsSync(p) ? 'changed' : 'deleted' }));
    this.pending.clear();
    if (changes.length > 0) this.onChanges(changes);
  }
}
