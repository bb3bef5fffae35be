// The only way core code reaches the file system: an interface passed in by the caller (the Node
// implementation lives in server/src/fs/nodeFileSystem.ts; tests may pass an in-memory one).

export interface DirEntry {
  name: string;
  /** What the entry is, following a symbolic link (`other` also for a link to nothing). */
  kind: 'file' | 'directory' | 'other';
  /** The entry itself is a symbolic link (`kind` says what it points to). */
  symbolicLink?: boolean;
}

/**
 * One file's text from a batch read. Neither field: the file is simply not there (deleted since it
 * was listed). `problem` without `text`: it could not be read, and why. Both: the text was read
 * but something is wrong with it (it is not valid in its encoding, and was decoded with U+FFFD).
 */
export interface FileText {
  text?: string;
  problem?: string;
}

export interface FileSystem {
  /** The file's text (UTF-8), or `undefined` when it does not exist or cannot be read. */
  readFile(path: string): Promise<string | undefined>;
  /** The folder's entries in any order, or `undefined` when it is not a readable folder. */
  readDirectory(path: string): Promise<DirEntry[] | undefined>;
  /** What is at `path` (following symbolic links), or `undefined` when nothing is. */
  stat(path: string): Promise<'file' | 'directory' | 'other' | undefined>;
  /** The canonical path (symbolic links resolved); optional, used to spot a file loaded twice. */
  realPath?(path: string): Promise<string>;
  /**
   * Many files at once, in order, each with what went wrong reading it; optional (for speed, and
   * for the reasons: without it a file that cannot be read is only said to be unreadable).
   */
  readFiles?(paths: readonly string[]): Promise<FileText[]>;
}

/** Every file's text, in order: through `readFiles` when the file system has it. */
export async function readAllFiles(fs: FileSystem, paths: readonly string[]): Promise<FileText[]> {
  if (fs.readFiles) return fs.readFiles(paths);
  const texts = await Promise.all(paths.map((p) => fs.readFile(p)));
  return texts.map((text) => (text === undefined ? { problem: 'cannot be read' } : { text }));
}

/** An in-memory FileSystem over a path → text map (tests, benchmarks, unsaved editor buffers). */
export function memoryFileSystem(files: Record<string, string> | Map<string, string>, sep = '/'): FileSystem {
  const map = files instanceof Map ? files : new Map(Object.entries(files));
  const dirs = new Map<string, Map<string, DirEntry['kind']>>();
  for (const p of map.keys()) {
    const parts = p.split(sep);
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join(sep) || sep;
      const entries = dirs.get(dir) ?? new Map<string, DirEntry['kind']>();
      dirs.set(dir, entries);
      const name = parts[i] ?? '';
      if (!entries.has(name)) entries.set(name, i === parts.length - 1 ? 'file' : 'directory');
    }
  }
  return {
    readFile: async (p) => map.get(p),
    readDirectory: async (p) => {
      const entries = dirs.get(p);
      return entries ? [...entries].map(([name, kind]) => ({ name, kind })) : undefined;
    },
    stat: async (p) => (map.has(p) ? 'file' : dirs.has(p) ? 'directory' : undefined),
  };
}
